/*
 * MySensors core stand-in: see MySensors.h.
 */
#include "MySensors.h"

static uint8_t node_id = 1;
static MyMessage sent_log[MYSEAL_STUB_MAX_SENT];
static uint8_t sent_total;

uint8_t getNodeId(void) { return node_id; }
uint8_t getParentNodeId(void) { return GATEWAY_ADDRESS; }
void myseal_stub_set_node_id(uint8_t id) { node_id = id; }

void (*myseal_stub_on_send)(const MyMessage &message);

static bool record(MyMessage &msg)
{
	msg.setSender(node_id).setLast(node_id);
	sent_log[sent_total % MYSEAL_STUB_MAX_SENT] = msg;
	if (sent_total < 255) {
		sent_total++;
	}
	if (myseal_stub_on_send) {
		myseal_stub_on_send(msg);
	}
	return true;
}

bool send(MyMessage &msg, const bool requestEcho)
{
	// As MySensors 2.3.2: whatever the command was, a message sent with send() is a C_SET.
	msg.setCommand(C_SET);
	msg.setRequestEcho(requestEcho).setEcho(false);
	return record(msg);
}

bool _sendRoute(MyMessage &message)
{
	return record(message);
}

bool present(const uint8_t sensorId, const mysensors_sensor_t sensorType,
             const char *description, const bool requestEcho)
{
	MyMessage msg;
	msg.setSensor(sensorId).setType((uint8_t)sensorType).setCommand(C_PRESENTATION);
	msg.setRequestEcho(requestEcho).set(description);
	return record(msg);
}

bool sendSketchInfo(const char *name, const char *version, const bool requestEcho)
{
	MyMessage msg;
	msg.setSensor(NODE_SENSOR_ID).setCommand(C_INTERNAL).setRequestEcho(requestEcho);
	if (name != NULL) {
		msg.setType(I_SKETCH_NAME).set(name);
		record(msg);
	}
	if (version != NULL) {
		msg.setType(I_SKETCH_VERSION).set(version);
		record(msg);
	}
	return true;
}

bool sendHeartbeat(const bool requestEcho)
{
	static uint32_t beats;
	MyMessage msg;
	msg.setSensor(NODE_SENSOR_ID).setCommand(C_INTERNAL).setType(I_HEARTBEAT_RESPONSE);
	msg.setRequestEcho(requestEcho).set(++beats);
	return record(msg);
}

void saveState(const uint8_t pos, const uint8_t value)
{
	eeprom_update_byte((uint8_t *)(uintptr_t)(EEPROM_LOCAL_CONFIG_ADDRESS + pos), value);
}

uint8_t loadState(const uint8_t pos)
{
	return eeprom_read_byte((const uint8_t *)(uintptr_t)(EEPROM_LOCAL_CONFIG_ADDRESS + pos));
}

#if !defined(__AVR__)
void hwReadConfigBlock(void *buf, void *addr, size_t length)
{
	eeprom_read_block(buf, addr, length);
}

void hwWriteConfigBlock(void *buf, void *addr, size_t length)
{
	eeprom_update_block(buf, addr, length);
}
#endif

void wait(const uint32_t waitingMS)
{
	delay(waitingMS);
}

int8_t sleep(const uint8_t interrupt, const uint8_t mode, const uint32_t sleepingMS,
             const bool smartSleep)
{
	(void)mode;
	(void)sleepingMS;
	(void)smartSleep;
	return (int8_t)interrupt;
}

uint8_t myseal_stub_sent_count(void) { return sent_total; }

const MyMessage &myseal_stub_sent(uint8_t i)
{
	return sent_log[i % MYSEAL_STUB_MAX_SENT];
}

void myseal_stub_clear_sent(void) { sent_total = 0; }

void myseal_stub_begin(void)
{
	if (before) {
		before();
	}
	if (presentation) {
		presentation();
	}
	if (setup) {
		setup();
	}
}

void myseal_stub_deliver(const MyMessage &message)
{
	if (receive) {
		receive(message);
	}
}
