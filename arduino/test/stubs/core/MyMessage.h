/*
 * MyMessage stand-in for MySeal's tests: the MySensors 2.3.2 message API a node sketch uses,
 * written for these tests (numbers and signatures as in MySensors 2.3.2 core/MyMessage.h; the
 * code is our own). Header layout: last, sender, destination, version/signed/length,
 * command/echo-request/echo/payload-type, type, sensor, then up to 25 payload bytes.
 */
#ifndef MYSEAL_STUB_MYMESSAGE_H
#define MYSEAL_STUB_MYMESSAGE_H
/* The real header's include guard: code that needs MyMessage checks for it (MySeal.h does). */
#define MyMessage_h

#include <Arduino.h>
#include <stdint.h>

#define PROTOCOL_VERSION (2u)
#define MAX_MESSAGE_SIZE (32u)
#define HEADER_SIZE (7u)
#define MAX_PAYLOAD_SIZE (MAX_MESSAGE_SIZE - HEADER_SIZE)
#define MAX_PAYLOAD MAX_PAYLOAD_SIZE  // the pre-2.3.2 name, still used by sketches
#define GATEWAY_ADDRESS ((uint8_t)0)
#define BROADCAST_ADDRESS ((uint8_t)255)
#define NODE_SENSOR_ID ((uint8_t)255)

typedef enum {
	C_PRESENTATION = 0, C_SET = 1, C_REQ = 2, C_INTERNAL = 3, C_STREAM = 4
} mysensors_command_t;

typedef enum {
	S_DOOR = 0, S_MOTION = 1, S_SMOKE = 2, S_BINARY = 3, S_LIGHT = 3, S_DIMMER = 4, S_COVER = 5,
	S_TEMP = 6, S_HUM = 7, S_BARO = 8, S_WIND = 9, S_RAIN = 10, S_UV = 11, S_WEIGHT = 12,
	S_POWER = 13, S_HEATER = 14, S_DISTANCE = 15, S_LIGHT_LEVEL = 16, S_ARDUINO_NODE = 17,
	S_ARDUINO_REPEATER_NODE = 18, S_LOCK = 19, S_IR = 20, S_WATER = 21, S_AIR_QUALITY = 22,
	S_CUSTOM = 23, S_DUST = 24, S_SCENE_CONTROLLER = 25, S_RGB_LIGHT = 26, S_RGBW_LIGHT = 27,
	S_COLOR_SENSOR = 28, S_HVAC = 29, S_MULTIMETER = 30, S_SPRINKLER = 31, S_WATER_LEAK = 32,
	S_SOUND = 33, S_VIBRATION = 34, S_MOISTURE = 35, S_INFO = 36, S_GAS = 37, S_GPS = 38,
	S_WATER_QUALITY = 39
} mysensors_sensor_t;

typedef enum {
	V_TEMP = 0, V_HUM = 1, V_STATUS = 2, V_LIGHT = 2, V_PERCENTAGE = 3, V_DIMMER = 3,
	V_PRESSURE = 4, V_FORECAST = 5, V_RAIN = 6, V_RAINRATE = 7, V_WIND = 8, V_GUST = 9,
	V_DIRECTION = 10, V_UV = 11, V_WEIGHT = 12, V_DISTANCE = 13, V_IMPEDANCE = 14, V_ARMED = 15,
	V_TRIPPED = 16, V_WATT = 17, V_KWH = 18, V_SCENE_ON = 19, V_SCENE_OFF = 20,
	V_HVAC_FLOW_STATE = 21, V_HEATER = 21, V_HVAC_SPEED = 22, V_LIGHT_LEVEL = 23, V_VAR1 = 24,
	V_VAR2 = 25, V_VAR3 = 26, V_VAR4 = 27, V_VAR5 = 28, V_UP = 29, V_DOWN = 30, V_STOP = 31,
	V_IR_SEND = 32, V_IR_RECEIVE = 33, V_FLOW = 34, V_VOLUME = 35, V_LOCK_STATUS = 36,
	V_LEVEL = 37, V_VOLTAGE = 38, V_CURRENT = 39, V_RGB = 40, V_RGBW = 41, V_ID = 42,
	V_UNIT_PREFIX = 43, V_HVAC_SETPOINT_COOL = 44, V_HVAC_SETPOINT_HEAT = 45,
	V_HVAC_FLOW_MODE = 46, V_TEXT = 47, V_CUSTOM = 48, V_POSITION = 49, V_IR_RECORD = 50,
	V_PH = 51, V_ORP = 52, V_EC = 53, V_VAR = 54, V_VA = 55, V_POWER_FACTOR = 56
} mysensors_data_t;

typedef enum {
	I_BATTERY_LEVEL = 0, I_TIME = 1, I_VERSION = 2, I_ID_REQUEST = 3, I_ID_RESPONSE = 4,
	I_INCLUSION_MODE = 5, I_CONFIG = 6, I_FIND_PARENT_REQUEST = 7, I_FIND_PARENT_RESPONSE = 8,
	I_LOG_MESSAGE = 9, I_CHILDREN = 10, I_SKETCH_NAME = 11, I_SKETCH_VERSION = 12, I_REBOOT = 13,
	I_GATEWAY_READY = 14, I_SIGNING_PRESENTATION = 15, I_NONCE_REQUEST = 16,
	I_NONCE_RESPONSE = 17, I_HEARTBEAT_REQUEST = 18, I_PRESENTATION = 19,
	I_DISCOVER_REQUEST = 20, I_DISCOVER_RESPONSE = 21, I_HEARTBEAT_RESPONSE = 22, I_LOCKED = 23,
	I_PING = 24, I_PONG = 25, I_REGISTRATION_REQUEST = 26, I_REGISTRATION_RESPONSE = 27,
	I_DEBUG = 28, I_SIGNAL_REPORT_REQUEST = 29, I_SIGNAL_REPORT_REVERSE = 30,
	I_SIGNAL_REPORT_RESPONSE = 31, I_PRE_SLEEP_NOTIFICATION = 32, I_POST_SLEEP_NOTIFICATION = 33
} mysensors_internal_t;

typedef enum {
	ST_FIRMWARE_CONFIG_REQUEST = 0, ST_FIRMWARE_CONFIG_RESPONSE = 1, ST_FIRMWARE_REQUEST = 2,
	ST_FIRMWARE_RESPONSE = 3, ST_SOUND = 4, ST_IMAGE = 5, ST_FIRMWARE_CONFIRM = 6,
	ST_FIRMWARE_RESPONSE_RLE = 7
} mysensors_stream_t;

typedef enum {
	P_STRING = 0, P_BYTE = 1, P_INT16 = 2, P_UINT16 = 3, P_LONG32 = 4, P_ULONG32 = 5,
	P_CUSTOM = 6, P_FLOAT32 = 7
} mysensors_payload_t;

class MyMessage
{
public:
	MyMessage(void);
	MyMessage(const uint8_t sensorId, const mysensors_data_t dataType);

	void clear(void);

	uint8_t getHeaderSize(void) const;
	uint8_t getMaxPayloadSize(void) const;
	uint8_t getExpectedMessageSize(void) const;
	bool isProtocolVersionValid(void) const;

	uint8_t getType(void) const;
	MyMessage &setType(const uint8_t messageType);
	uint8_t getLast(void) const;
	MyMessage &setLast(const uint8_t lastId);
	uint8_t getSender(void) const;
	MyMessage &setSender(const uint8_t senderId);
	uint8_t getSensor(void) const;
	MyMessage &setSensor(const uint8_t sensorId);
	uint8_t getDestination(void) const;
	MyMessage &setDestination(const uint8_t destinationId);

	bool isAck(void) const;  // old name of isEcho()
	bool isEcho(void) const;
	MyMessage &setEcho(const bool echo);
	bool getRequestEcho(void) const;
	MyMessage &setRequestEcho(const bool requestEcho);
	uint8_t getVersion(void) const;
	MyMessage &setVersion(void);
	mysensors_command_t getCommand(void) const;
	MyMessage &setCommand(const mysensors_command_t command);
	mysensors_payload_t getPayloadType(void) const;
	MyMessage &setPayloadType(const mysensors_payload_t payloadType);
	bool getSigned(void) const;
	MyMessage &setSigned(const bool signedFlag);
	uint8_t getLength(void) const;
	MyMessage &setLength(const uint8_t length);

	void *getCustom(void) const;
	const char *getString(void) const;
	char *getString(char *buffer) const;
	char *getStream(char *buffer) const;
	bool getBool(void) const;
	uint8_t getByte(void) const;
	int16_t getInt(void) const;
	uint16_t getUInt(void) const;
	int32_t getLong(void) const;
	uint32_t getULong(void) const;
	float getFloat(void) const;

	MyMessage &set(const void *payload, const size_t length);
	MyMessage &set(const char *value);
	MyMessage &set(const bool value);
	MyMessage &set(const uint8_t value);
	MyMessage &set(const uint16_t value);
	MyMessage &set(const int16_t value);
	MyMessage &set(const uint32_t value);
	MyMessage &set(const int32_t value);
	MyMessage &set(const float value, const uint8_t decimals);

	uint8_t last;
	uint8_t sender;
	uint8_t destination;
	uint8_t version_length;        // bits 0-1 version, bit 2 signed, bits 3-7 payload length
	uint8_t command_echo_payload;  // bits 0-2 command, bit 3 echo request, bit 4 echo, 5-7 type
	uint8_t type;
	uint8_t sensor;
	union {
		uint8_t bValue;
		uint16_t uiValue;
		int16_t iValue;
		uint32_t ulValue;
		int32_t lValue;
		__extension__ struct {  // anonymous struct: a GNU extension, as in MySensors
			float fValue;
			uint8_t fPrecision;
		};
		char data[MAX_PAYLOAD_SIZE + 1];  // one more for the string terminator, never sent
	} __attribute__((packed));
} __attribute__((packed));

#endif /* MYSEAL_STUB_MYMESSAGE_H */
