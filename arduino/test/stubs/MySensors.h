/*
 * MySensors.h stand-in for MySeal's tests: what a node sketch includes. No radio and no
 * transport: send() and present() record the message so a test can look at it, and
 * myseal_stub_deliver() hands a message to the sketch's receive() as the library would.
 * Signatures follow MySensors 2.3.2 core/MySensorsCore.h.
 */
#ifndef MYSEAL_STUB_MYSENSORS_H
#define MYSEAL_STUB_MYSENSORS_H

#include <Arduino.h>
#include <avr/eeprom.h>

#include "core/MyMessage.h"

/* First EEPROM byte free for sketches in MySensors 2.3.2 (after routes, signing keys, ...). */
#define EEPROM_LOCAL_CONFIG_ADDRESS (413u)

uint8_t getNodeId(void);
uint8_t getParentNodeId(void);
bool present(const uint8_t sensorId, const mysensors_sensor_t sensorType,
             const char *description = "", const bool requestEcho = false);
bool sendSketchInfo(const char *name, const char *version, const bool requestEcho = false);
bool send(MyMessage &msg, const bool requestEcho = false);
bool sendHeartbeat(const bool requestEcho = false);
void saveState(const uint8_t pos, const uint8_t value);
uint8_t loadState(const uint8_t pos);
void wait(const uint32_t waitingMS);

/* Sketch callbacks, weak as in MySensors: a sketch defines the ones it needs. */
void receive(const MyMessage &message) __attribute__((weak));
void presentation(void) __attribute__((weak));
void before(void) __attribute__((weak));
void setup(void) __attribute__((weak));
void loop(void) __attribute__((weak));

/* Test side. */
#define MYSEAL_STUB_MAX_SENT 16
void myseal_stub_set_node_id(uint8_t id);
uint8_t myseal_stub_sent_count(void);           // messages recorded since the last clear
const MyMessage &myseal_stub_sent(uint8_t i);   // i-th of the last MYSEAL_STUB_MAX_SENT
void myseal_stub_clear_sent(void);
void myseal_stub_deliver(const MyMessage &message);  // as if it came from the radio

#endif /* MYSEAL_STUB_MYSENSORS_H */
