/*
 * MyMessage stand-in: see MyMessage.h. Same behaviour as MySensors 2.3.2 where tests can see it
 * (length capped at 25, strings NUL-terminated in the spare byte, binary payloads as P_CUSTOM).
 */
#include "MyMessage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Bit fields of the header (MySensors 2.3.2 protocol version 2).
static const uint8_t VL_VERSION_MASK = 0x03;
static const uint8_t VL_SIGNED_BIT = 0x04;
static const uint8_t VL_LENGTH_SHIFT = 3;
static const uint8_t CEP_COMMAND_MASK = 0x07;
static const uint8_t CEP_ECHO_REQUEST_BIT = 0x08;
static const uint8_t CEP_ECHO_BIT = 0x10;
static const uint8_t CEP_PAYLOAD_SHIFT = 5;

static uint8_t with_bit(uint8_t field, uint8_t bit, bool on)
{
	return on ? (uint8_t)(field | bit) : (uint8_t)(field & (uint8_t)~bit);
}

MyMessage::MyMessage(void)
{
	clear();
}

MyMessage::MyMessage(const uint8_t sensorId, const mysensors_data_t dataType)
{
	clear();
	sensor = sensorId;
	type = (uint8_t)dataType;
}

void MyMessage::clear(void)
{
	last = 0;
	sender = 0;
	destination = GATEWAY_ADDRESS;
	version_length = 0;
	command_echo_payload = 0;
	type = 0;
	sensor = 0;
	memset(data, 0, sizeof data);
	setVersion();
}

uint8_t MyMessage::getHeaderSize(void) const { return HEADER_SIZE; }
uint8_t MyMessage::getMaxPayloadSize(void) const { return MAX_PAYLOAD_SIZE; }

uint8_t MyMessage::getExpectedMessageSize(void) const
{
	// A signed message always fills the payload (the signature takes the unused bytes).
	return (uint8_t)(HEADER_SIZE + (getSigned() ? MAX_PAYLOAD_SIZE : getLength()));
}

bool MyMessage::isProtocolVersionValid(void) const { return getVersion() == PROTOCOL_VERSION; }

uint8_t MyMessage::getType(void) const { return type; }
MyMessage &MyMessage::setType(const uint8_t messageType) { type = messageType; return *this; }
uint8_t MyMessage::getLast(void) const { return last; }
MyMessage &MyMessage::setLast(const uint8_t lastId) { last = lastId; return *this; }
uint8_t MyMessage::getSender(void) const { return sender; }
MyMessage &MyMessage::setSender(const uint8_t senderId) { sender = senderId; return *this; }
uint8_t MyMessage::getSensor(void) const { return sensor; }
MyMessage &MyMessage::setSensor(const uint8_t sensorId) { sensor = sensorId; return *this; }
uint8_t MyMessage::getDestination(void) const { return destination; }

MyMessage &MyMessage::setDestination(const uint8_t destinationId)
{
	destination = destinationId;
	return *this;
}

bool MyMessage::isAck(void) const { return isEcho(); }
bool MyMessage::isEcho(void) const { return (command_echo_payload & CEP_ECHO_BIT) != 0; }

MyMessage &MyMessage::setEcho(const bool echo)
{
	command_echo_payload = with_bit(command_echo_payload, CEP_ECHO_BIT, echo);
	return *this;
}

bool MyMessage::getRequestEcho(void) const
{
	return (command_echo_payload & CEP_ECHO_REQUEST_BIT) != 0;
}

MyMessage &MyMessage::setRequestEcho(const bool requestEcho)
{
	command_echo_payload = with_bit(command_echo_payload, CEP_ECHO_REQUEST_BIT, requestEcho);
	return *this;
}

uint8_t MyMessage::getVersion(void) const { return (uint8_t)(version_length & VL_VERSION_MASK); }

MyMessage &MyMessage::setVersion(void)
{
	version_length = (uint8_t)((version_length & (uint8_t)~VL_VERSION_MASK) | PROTOCOL_VERSION);
	return *this;
}

mysensors_command_t MyMessage::getCommand(void) const
{
	return (mysensors_command_t)(command_echo_payload & CEP_COMMAND_MASK);
}

MyMessage &MyMessage::setCommand(const mysensors_command_t command)
{
	command_echo_payload = (uint8_t)((command_echo_payload & (uint8_t)~CEP_COMMAND_MASK) |
	                                 ((uint8_t)command & CEP_COMMAND_MASK));
	return *this;
}

mysensors_payload_t MyMessage::getPayloadType(void) const
{
	return (mysensors_payload_t)(command_echo_payload >> CEP_PAYLOAD_SHIFT);
}

MyMessage &MyMessage::setPayloadType(const mysensors_payload_t payloadType)
{
	command_echo_payload = (uint8_t)((command_echo_payload & 0x1f) |
	                                 ((uint8_t)payloadType << CEP_PAYLOAD_SHIFT));
	return *this;
}

bool MyMessage::getSigned(void) const { return (version_length & VL_SIGNED_BIT) != 0; }

MyMessage &MyMessage::setSigned(const bool signedFlag)
{
	version_length = with_bit(version_length, VL_SIGNED_BIT, signedFlag);
	return *this;
}

uint8_t MyMessage::getLength(void) const
{
	uint8_t length = (uint8_t)(version_length >> VL_LENGTH_SHIFT);
	return length > MAX_PAYLOAD_SIZE ? (uint8_t)MAX_PAYLOAD_SIZE : length;
}

MyMessage &MyMessage::setLength(const uint8_t length)
{
	uint8_t capped = length > MAX_PAYLOAD_SIZE ? (uint8_t)MAX_PAYLOAD_SIZE : length;
	version_length = (uint8_t)((version_length & 0x07) | (capped << VL_LENGTH_SHIFT));
	return *this;
}

void *MyMessage::getCustom(void) const { return (void *)data; }

const char *MyMessage::getString(void) const
{
	return getPayloadType() == P_STRING ? data : NULL;
}

static char hex_digit(uint8_t v)
{
	v &= 0x0f;
	return (char)(v < 10 ? '0' + v : 'A' + v - 10);
}

char *MyMessage::getStream(char *buffer) const
{
	// Binary payloads as upper-case hex, as the gateway prints them.
	if (buffer == NULL) {
		return NULL;
	}
	uint8_t n = getLength();
	for (uint8_t i = 0; i < n; i++) {
		buffer[2 * i] = hex_digit((uint8_t)((uint8_t)data[i] >> 4));
		buffer[2 * i + 1] = hex_digit((uint8_t)data[i]);
	}
	buffer[2 * n] = '\0';
	return buffer;
}

char *MyMessage::getString(char *buffer) const
{
	if (buffer == NULL) {
		return NULL;
	}
	switch (getPayloadType()) {
	case P_STRING:
		memcpy(buffer, data, getLength());
		buffer[getLength()] = '\0';
		break;
	case P_BYTE:
		snprintf(buffer, 4, "%u", (unsigned)bValue);
		break;
	case P_INT16:
		snprintf(buffer, 7, "%d", (int)iValue);
		break;
	case P_UINT16:
		snprintf(buffer, 6, "%u", (unsigned)uiValue);
		break;
	case P_LONG32:
		snprintf(buffer, 12, "%ld", (long)lValue);
		break;
	case P_ULONG32:
		snprintf(buffer, 11, "%lu", (unsigned long)ulValue);
		break;
	case P_CUSTOM:
		return getStream(buffer);
	case P_FLOAT32:
		snprintf(buffer, 2 * MAX_PAYLOAD_SIZE + 1, "%.*f", (int)(fPrecision > 8 ? 8 : fPrecision),
		         (double)fValue);
		break;
	}
	return buffer;
}

bool MyMessage::getBool(void) const { return getByte() != 0; }

uint8_t MyMessage::getByte(void) const
{
	if (getPayloadType() == P_BYTE) {
		return (uint8_t)data[0];
	}
	return getPayloadType() == P_STRING ? (uint8_t)atoi(data) : 0;
}

int16_t MyMessage::getInt(void) const
{
	if (getPayloadType() == P_INT16) {
		return iValue;
	}
	return getPayloadType() == P_STRING ? (int16_t)atoi(data) : 0;
}

uint16_t MyMessage::getUInt(void) const
{
	if (getPayloadType() == P_UINT16) {
		return uiValue;
	}
	return getPayloadType() == P_STRING ? (uint16_t)atoi(data) : 0;
}

int32_t MyMessage::getLong(void) const
{
	if (getPayloadType() == P_LONG32) {
		return lValue;
	}
	return getPayloadType() == P_STRING ? (int32_t)atol(data) : 0;
}

uint32_t MyMessage::getULong(void) const
{
	if (getPayloadType() == P_ULONG32) {
		return ulValue;
	}
	return getPayloadType() == P_STRING ? (uint32_t)atol(data) : 0;
}

float MyMessage::getFloat(void) const
{
	if (getPayloadType() == P_FLOAT32) {
		return fValue;
	}
	return getPayloadType() == P_STRING ? (float)atof(data) : 0.0f;
}

MyMessage &MyMessage::set(const void *payload, const size_t length)
{
	uint8_t n = payload == NULL ? 0 : (length > MAX_PAYLOAD_SIZE ? (uint8_t)MAX_PAYLOAD_SIZE : (uint8_t)length);
	setLength(n);
	setPayloadType(P_CUSTOM);
	if (n != 0) {
		memcpy(data, payload, n);
	}
	return *this;
}

MyMessage &MyMessage::set(const char *value)
{
	size_t length = value == NULL ? 0 : strlen(value);
	uint8_t n = length > MAX_PAYLOAD_SIZE ? (uint8_t)MAX_PAYLOAD_SIZE : (uint8_t)length;
	setLength(n);
	setPayloadType(P_STRING);
	if (n != 0) {
		memcpy(data, value, n);
	}
	data[n] = '\0';
	return *this;
}

MyMessage &MyMessage::set(const bool value) { return set((uint8_t)value); }

MyMessage &MyMessage::set(const uint8_t value)
{
	setLength(1);
	setPayloadType(P_BYTE);
	bValue = value;
	return *this;
}

MyMessage &MyMessage::set(const uint16_t value)
{
	setLength(2);
	setPayloadType(P_UINT16);
	uiValue = value;
	return *this;
}

MyMessage &MyMessage::set(const int16_t value)
{
	setLength(2);
	setPayloadType(P_INT16);
	iValue = value;
	return *this;
}

MyMessage &MyMessage::set(const uint32_t value)
{
	setLength(4);
	setPayloadType(P_ULONG32);
	ulValue = value;
	return *this;
}

MyMessage &MyMessage::set(const int32_t value)
{
	setLength(4);
	setPayloadType(P_LONG32);
	lValue = value;
	return *this;
}

MyMessage &MyMessage::set(const float value, const uint8_t decimals)
{
	setLength(5);  // 4 bytes of float and 1 of precision
	setPayloadType(P_FLOAT32);
	fValue = value;
	fPrecision = decimals;
	return *this;
}
