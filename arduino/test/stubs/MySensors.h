/*
 * MySensors.h stand-in for MySeal's tests: what a node sketch includes. No radio and no
 * transport: send(), _sendRoute() and present() record the message so a test can look at it
 * (and hand it to myseal_stub_on_send, when set), and myseal_stub_deliver() hands a message to
 * the sketch's receive() as the library would. Signatures follow MySensors 2.3.2
 * core/MySensorsCore.h; as there, send() makes every message a C_SET (so stream messages go out
 * through _sendRoute(), the way MySensors' OTA code sends them).
 */
#ifndef MYSEAL_STUB_MYSENSORS_H
#define MYSEAL_STUB_MYSENSORS_H

#include <Arduino.h>
#include <avr/eeprom.h>

#include "core/MyMessage.h"

/* First EEPROM byte free for sketches in MySensors 2.3.2 (after routes, signing keys, ...). */
#define EEPROM_LOCAL_CONFIG_ADDRESS (413u)

/*
 * MySensors' hardware layer for its EEPROM (hal/architecture/MyHwHAL.h), as the platforms have
 * it: on AVR macros over avr-libc's block functions; elsewhere (ESP, SAMD, STM32, nRF5, Linux)
 * functions taking a non-const buffer. Here both end in the EEPROM image (stubs/host) or the chip.
 */
#if defined(__AVR__)
#define hwReadConfigBlock(buf, addr, length) eeprom_read_block((buf), (addr), (length))
#define hwWriteConfigBlock(buf, addr, length) eeprom_update_block((buf), (addr), (length))
#else
void hwReadConfigBlock(void *buf, void *addr, size_t length);
void hwWriteConfigBlock(void *buf, void *addr, size_t length);
#endif

uint8_t getNodeId(void);
uint8_t getParentNodeId(void);
bool present(const uint8_t sensorId, const mysensors_sensor_t sensorType,
             const char *description = "", const bool requestEcho = false);
bool sendSketchInfo(const char *name, const char *version, const bool requestEcho = false);
bool send(MyMessage &msg, const bool requestEcho = false);
bool _sendRoute(MyMessage &message);
bool sendHeartbeat(const bool requestEcho = false);
void saveState(const uint8_t pos, const uint8_t value);
uint8_t loadState(const uint8_t pos);
void wait(const uint32_t waitingMS);
/* Sleep until a pin interrupt or the time is up (0: forever); here: returns at once, woken by the
 * interrupt. MY_WAKE_UP_BY_TIMER (-1) is what MySensors returns for the timer. */
#define MY_WAKE_UP_BY_TIMER ((int8_t)-1)
int8_t sleep(const uint8_t interrupt, const uint8_t mode, const uint32_t sleepingMS = 0,
             const bool smartSleep = false);

/* Sketch callbacks, weak as in MySensors: a sketch defines the ones it needs. */
void receive(const MyMessage &message) __attribute__((weak));
void presentation(void) __attribute__((weak));
void before(void) __attribute__((weak));
void setup(void) __attribute__((weak));
void loop(void) __attribute__((weak));

/* Test side. */
/* The sketch's start, as MySensors' _begin() makes it: before(), presentation(), setup(). */
void myseal_stub_begin(void);
#define MYSEAL_STUB_MAX_SENT 16
void myseal_stub_set_node_id(uint8_t id);
uint8_t myseal_stub_sent_count(void);           // messages recorded since the last clear
const MyMessage &myseal_stub_sent(uint8_t i);   // i-th of the last MYSEAL_STUB_MAX_SENT
void myseal_stub_clear_sent(void);
void myseal_stub_deliver(const MyMessage &message);  // as if it came from the radio
extern void (*myseal_stub_on_send)(const MyMessage &message);  // every message sent, if set

#endif /* MYSEAL_STUB_MYSENSORS_H */
