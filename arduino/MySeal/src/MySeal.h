/*
 * MySeal for MySensors 2.3 nodes: sealed, replay-proof commands for door locks, relays and
 * sensors. Include it after <MySensors.h>:
 *
 *   #define MY_RADIO_RF24
 *   #include "myseal_node_5.h"          // `myseal keygen`: MYSEAL_NODE_ID, MYSEAL_LOCK_CHILD, MYSEAL_KEY
 *   #define MY_NODE_ID MYSEAL_NODE_ID
 *   #include <MySensors.h>
 *   #include <MySeal.h>
 *
 *   static const uint8_t mysealKey[16] PROGMEM = MYSEAL_KEY;
 *   MySeal seal;
 *
 *   void before() {
 *     seal.lockChild(MYSEAL_LOCK_CHILD).autoRelock(5000).begin(MYSEAL_NODE_ID, mysealKey, MYSEAL_PIN("1234"));
 *   }
 *   void receive(const MyMessage &message) { if (seal.handle(message)) return; ... }
 *   void loop() { seal.poll(); ... }
 *   void mysealLockChanged(bool locked) { ... move the bolt ... }
 *
 * The sketch API is this header only: it is compiled with the sketch, against the MySensors it
 * uses (MyMessage, getNodeId(), _sendRoute(), hwReadConfigBlock(), hwWriteConfigBlock(),
 * EEPROM_LOCAL_CONFIG_ADDRESS), on every platform MySensors runs on. Like <MySensors.h> it goes
 * into one file of a sketch: it defines the storage functions the library reads and writes its
 * records with (myseal_storage.h). The rest of the library knows nothing of MySensors
 * (myseal_node.h), and the primitives stay available:
 *   myseal_aes128.h  AES-128 encryption (key expanded on the fly, S-box in flash on AVR)
 *   myseal_ccm.h     AES-128-CCM, RFC 3610, 8-byte tag, 13-byte nonce
 *   myseal_ct.h      constant-time comparison and wiping
 *
 * A sketch links what it calls: the lock and its PIN code only with lockChild(), the receive path
 * only with handle(); a sensor that only reports links neither.
 *
 * EEPROM: MySeal keeps MYSEAL_EEPROM_BYTES (347) bytes from MYSEAL_EEPROM_BASE, by default the
 * first byte after the 256 bytes saveState()/loadState() give the sketch
 * (EEPROM_LOCAL_CONFIG_ADDRESS + 256: 669 to 1015 on MySensors 2.3.2). Define MYSEAL_EEPROM_BASE
 * before including this header to move it.
 */
#ifndef MYSEAL_H
#define MYSEAL_H

#include "myseal_aes128.h"
#include "myseal_ccm.h"
#include "myseal_ct.h"
#include "myseal_node.h"
#include "myseal_pin.h"
#include "myseal_storage.h"

#if !defined(MyMessage_h)
#error "MySeal.h: include <MySensors.h> before <MySeal.h> (MySeal works on MyMessage)"
#endif

/* The lock's child, as the key header says it (`myseal keygen --lock-child`); older headers lack
 * it: 1, the controller's default too. */
#ifndef MYSEAL_LOCK_CHILD
#define MYSEAL_LOCK_CHILD 1
#endif

#ifndef MYSEAL_EEPROM_BASE
#define MYSEAL_EEPROM_BASE (EEPROM_LOCAL_CONFIG_ADDRESS + 256)
#endif

static_assert(MYSEAL_EEPROM_BASE >= EEPROM_LOCAL_CONFIG_ADDRESS,
              "MYSEAL_EEPROM_BASE overlaps the EEPROM MySensors keeps for itself");
#if defined(E2END)
/* The EEPROM's size where the platform says it (AVR, Teensy); MySensors' emulations elsewhere
 * (ESP8266, ESP32 and Linux: 1 024 bytes by default) have room for the default base too. */
static_assert(MYSEAL_EEPROM_BASE + MYSEAL_EEPROM_BYTES <= E2END + 1,
              "MySeal's EEPROM area (MYSEAL_EEPROM_BYTES from MYSEAL_EEPROM_BASE) does not fit");
#endif

/*
 * The library's records go through MySensors' hardware layer, which every platform provides
 * (a macro over avr-libc's EEPROM functions on AVR, functions over an EEPROM emulation elsewhere).
 */
extern "C" void myseal_storage_read(uint16_t at, uint8_t *buffer, uint8_t length)
{
	hwReadConfigBlock(buffer, reinterpret_cast<void *>(static_cast<uintptr_t>(MYSEAL_EEPROM_BASE + at)),
	                  length);
}

extern "C" void myseal_storage_write(uint16_t at, const uint8_t *buffer, uint8_t length)
{
	// hwWriteConfigBlock() takes a non-const buffer on most platforms; it only reads it.
	hwWriteConfigBlock(const_cast<uint8_t *>(buffer),
	                   reinterpret_cast<void *>(static_cast<uintptr_t>(MYSEAL_EEPROM_BASE + at)), length);
}

class MySeal
{
public:
	/* Settings: call before begin(). Each returns the object, so they chain. */

	/* The lock's child: the node has a lock there, which STATUS, LOCK, UNLOCK and SET_PIN reach.
	 * Without it the node has no lock (and links none): lock commands are refused. */
	MySeal &lockChild(uint8_t child)
	{
		myseal_lock_enable(child);
		return *this;
	}
	/* A node without a lock, what a node is unless lockChild() is called (kept for sketches that
	 * said so when the lock was on child 1 by default). */
	MySeal &noLock(void) { return *this; }

	/* Sealed sets to this child (0-15) must be bound to a challenge, like an unlock. */
	MySeal &guard(uint8_t child)
	{
		if (child < 16) {
			myseal_guard_children((uint16_t)(myseal_guarded_children() | (1u << child)));
		}
		return *this;
	}

	/* Wrong PINs before a lockout (default 5); first lockout and its doubling cap (60 s, 24 h). */
	MySeal &maxAttempts(uint8_t attempts)
	{
		myseal_lock_max_attempts(attempts);
		return *this;
	}
	MySeal &lockout(uint16_t firstSeconds, uint32_t capSeconds)
	{
		// Counted in milliseconds; the cap stays below 2^31 ms (24 days).
		const uint32_t most = 0x7fffffffUL / 1000;
		myseal_lock_lockout(firstSeconds * 1000UL, (capSeconds < most ? capSeconds : most) * 1000UL);
		return *this;
	}

	/* How long a challenge stays valid (default and most 10 000 ms; the controller must know). */
	MySeal &challengeWindow(uint16_t ms)
	{
		myseal_challenge_window(ms);
		return *this;
	}

	/* Lock again this long after an unlock (0, the default: never), with a sealed report. */
	MySeal &autoRelock(uint16_t ms)
	{
		myseal_lock_relock(ms);
		return *this;
	}

	/*
	 * Loads the node's state from EEPROM, or stores key and PIN on first boot (and after a new
	 * key). nodeId: MYSEAL_NODE_ID, MySensors' node id (0 for a lock in a gateway's own sketch).
	 * key: MYSEAL_KEY's 16 bytes in flash (PROGMEM). pin: MYSEAL_PIN("1234").
	 */
	void begin(uint8_t nodeId, const uint8_t *keyInFlash, uint32_t pin)
	{
		uint8_t key[16];
		for (uint8_t i = 0; i < sizeof key; i++) {
#if defined(pgm_read_byte)
			key[i] = pgm_read_byte(keyInFlash + i);
#else
			key[i] = keyInFlash[i];  // a platform without PROGMEM keeps constants in memory
#endif
		}
		myseal_begin(nodeId, now(), key, pin);
		myseal_wipe(key, sizeof key);
	}

	/*
	 * In receive(): true when the message was a sealed frame (C_STREAM, type 83), which MySeal
	 * has then dealt with, answered or ignored; false for any other message.
	 */
	bool handle(const MyMessage &message)
	{
		if (message.getCommand() != C_STREAM || message.getType() != MYSEAL_STREAM_TYPE) {
			return false;
		}
		MyMessage out;
		const uint8_t child = message.getSensor();
		transmit(out, child,
		         myseal_receive(now(), message.getSender(), child,
		                        static_cast<const uint8_t *>(message.getCustom()),
		                        message.getLength(), payload(out)));
		return true;
	}

	/* In loop(): auto-relock when due (nothing on a node without a lock). */
	void poll(void)
	{
		if (myseal_lock_route() == 0) {
			return;  // no lock: nothing to relock (and, unless lockChild() is called, no code)
		}
		MyMessage out;
		transmit(out, myseal_lock_child(), myseal_poll(now(), payload(out)));
	}

	/* The lock turned by hand or by a button: stored, mysealLockChanged(), sealed report. */
	void setLocked(bool locked)
	{
		MyMessage out;
		transmit(out, myseal_lock_child(), myseal_set_locked(now(), locked, payload(out)));
	}

	/* A sealed report of any value (at most 10 bytes): a door contact, a temperature, ... */
	bool report(uint8_t child, uint8_t type, uint8_t payloadType, const void *value,
	            uint8_t length)
	{
		MyMessage out;
		return transmit(out, child,
		                myseal_report(child, type, payloadType, value, length, payload(out)));
	}
	bool report(uint8_t child, uint8_t type, uint8_t value)
	{
		MyMessage out;
		return transmit(out, child, myseal_report_byte(child, type, value, payload(out)));
	}

	bool isLocked(void) const { return myseal_is_locked(); }
	uint8_t attemptsLeft(void) const { return myseal_attempts_left(now()); }
	uint32_t lockoutSeconds(void) const { return myseal_lockout_seconds(now()); }
	/* What became of the last sealed frame: MYSEAL_OK, AUTH_FAILED, ... (myseal_verdict.h). */
	uint8_t lastVerdict(void) const { return myseal_verdict(); }

private:
	/* millis(), called from one place (LTO would copy it into every call). */
	__attribute__((noinline)) static uint32_t now(void) { return millis(); }

	/*
	 * The frame is built where it goes: in the payload of the message that carries it (MySensors
	 * keeps MAX_PAYLOAD_SIZE = 25 bytes there, a largest frame).
	 */
	static uint8_t *payload(MyMessage &out) { return static_cast<uint8_t *>(out.getCustom()); }

	/*
	 * Out as a C_STREAM message of type 83 to the gateway, from this node (getNodeId()). Through
	 * _sendRoute(), as MySensors' own firmware-update code sends its stream messages: send() would
	 * overwrite the command with C_SET (MySensors 2.3.2 core/MySensorsCore.cpp), and the gateway
	 * would print the frame as a C_SET value. In a gateway's own sketch (node 0) the sender and the
	 * destination are both 0, and _sendRoute() hands a message addressed to the gateway's own id
	 * to gatewayTransportSend(): it goes to the controller as if it came from a node 0.
	 */
	__attribute__((noinline)) static bool transmit(MyMessage &out, uint8_t child, uint8_t length)
	{
		if (length == 0) {
			return false;
		}
		out.setSender(getNodeId())
		    .setDestination(GATEWAY_ADDRESS)
		    .setSensor(child)
		    .setType(MYSEAL_STREAM_TYPE)
		    .setCommand(C_STREAM)
		    .setPayloadType(P_CUSTOM)
		    .setLength(length);
		return _sendRoute(out);
	}
};

#endif /* MYSEAL_H */
