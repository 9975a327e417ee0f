/*
 * A MySeal lock node's sketch as a Cortex-M build compiles it: MySensors' own headers in the order
 * MySensors.h includes them (configuration, core declarations, the hardware layer and this
 * architecture's MyHw<ARCH>.h), then MySeal.h, and the calls SecureLock makes. MySensors.h itself
 * is not included: it would compile MySensors' implementation (.cpp files it includes) and the
 * radio drivers, which need the board's real Arduino core. The Arduino core's own headers are
 * stood in for by cortex-m-shim/ (declarations only).
 */
#include <Arduino.h>

#include "MyConfig.h"
#include "core/MySensorsCore.h"
#include "hal/architecture/MyHwHAL.h"
#if defined(ARDUINO_ARCH_SAMD)
#include "drivers/extEEPROM/extEEPROM.h"
#include "hal/architecture/SAMD/MyHwSAMD.h"
#elif defined(ARDUINO_ARCH_STM32F1)
#include "hal/architecture/STM32F1/MyHwSTM32F1.h"
#else
#error "cortex_m_node.cpp: define ARDUINO_ARCH_SAMD or ARDUINO_ARCH_STM32F1"
#endif

#include <MySeal.h>

#define LOCK_CHILD 1
#define CONTACT_CHILD 2

/* A fixed test key: nothing is flashed from this build. */
static const uint8_t mysealKey[16] PROGMEM = {0x00, 0x1d, 0x3a, 0x57, 0x74, 0x91, 0xae, 0xcb,
                                              0xe8, 0x05, 0x22, 0x3f, 0x5c, 0x79, 0x96, 0xb3};
static MySeal seal;
static volatile bool boltLocked;

void mysealLockChanged(bool locked)
{
	boltLocked = locked;
}

void before()
{
	seal.lockChild(LOCK_CHILD).autoRelock(5000).begin(5, mysealKey, MYSEAL_PIN("1234"));
}

void setup()
{
	seal.report(LOCK_CHILD, V_LOCK_STATUS, seal.isLocked() ? 1 : 0);
}

void receive(const MyMessage &message)
{
	if (seal.handle(message)) {
		return;
	}
}

void loop()
{
	seal.poll();
	if (digitalRead(4) == LOW) {
		seal.setLocked(!seal.isLocked());
	}
	seal.report(CONTACT_CHILD, V_TRIPPED, digitalRead(3) == HIGH ? 1 : 0);
}
