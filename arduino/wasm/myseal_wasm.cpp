/*
 * MySeal's node library as a WebAssembly module: the same core a lock runs (myseal_node.h), with
 * the host standing in for the board. The host (src/node/wasm-node.ts) gives it, as imports from
 * "env":
 *
 *   millis() -> u32                          the node's clock
 *   eeprom_read(address, buffer, length)     the EEPROM, by address: MySeal's records lie where
 *   eeprom_write(address, buffer, length)    MySeal.h puts them on MySensors 2.3.2 (669 to 1015)
 *   send(child, frame, length)               a sealed frame out, to the gateway, on that child
 *   lock_changed(locked)                     the lock must move (the servo, the relay)
 *   set(child, type, payload_type, value, length) -> u32   a sealed set; 0: the child cannot take it
 *
 * and calls the exports below, which are MySeal.h's sketch API over plain numbers: settings, then
 * begin(), then receive(), poll(), set_locked() and report(); bytes in and out go through the
 * 32-byte buffer at buffer(). One module instance is one node; a new instance over the same EEPROM
 * is that node after a reset.
 */
#include <stdint.h>
#include <string.h>

#include "myseal_ct.h"
#include "myseal_node.h"
#include "myseal_storage.h"

#define MYSEAL_WASM_IMPORT(name) __attribute__((import_module("env"), import_name(name)))
#define MYSEAL_WASM_EXPORT(name) extern "C" __attribute__((export_name(name)))

/* Where MySeal.h puts MySeal's area on MySensors 2.3.2: EEPROM_LOCAL_CONFIG_ADDRESS + 256. */
#define MYSEAL_WASM_EEPROM_BASE (413 + 256)

extern "C" {
MYSEAL_WASM_IMPORT("millis") uint32_t host_millis(void);
MYSEAL_WASM_IMPORT("eeprom_read") void host_eeprom_read(uint32_t address, uint8_t *buffer, uint32_t length);
MYSEAL_WASM_IMPORT("eeprom_write") void host_eeprom_write(uint32_t address, const uint8_t *buffer, uint32_t length);
MYSEAL_WASM_IMPORT("send") void host_send(uint32_t child, const uint8_t *frame, uint32_t length);
MYSEAL_WASM_IMPORT("lock_changed") void host_lock_changed(uint32_t locked);
MYSEAL_WASM_IMPORT("set") uint32_t host_set(uint32_t child, uint32_t type, uint32_t payload_type,
                                            const uint8_t *value, uint32_t length);
}

/* ---- what a freestanding program must bring: the core's four memory functions ------------- */

extern "C" void *memcpy(void *to, const void *from, size_t n)
{
	uint8_t *d = static_cast<uint8_t *>(to);
	const uint8_t *s = static_cast<const uint8_t *>(from);
	while (n--) {
		*d++ = *s++;
	}
	return to;
}

extern "C" void *memmove(void *to, const void *from, size_t n)
{
	uint8_t *d = static_cast<uint8_t *>(to);
	const uint8_t *s = static_cast<const uint8_t *>(from);
	if (d <= s) {
		return memcpy(to, from, n);
	}
	while (n--) {
		d[n] = s[n];
	}
	return to;
}

extern "C" void *memset(void *to, int value, size_t n)
{
	uint8_t *d = static_cast<uint8_t *>(to);
	while (n--) {
		*d++ = static_cast<uint8_t>(value);
	}
	return to;
}

extern "C" int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = static_cast<const uint8_t *>(a);
	const uint8_t *y = static_cast<const uint8_t *>(b);
	for (; n; n--, x++, y++) {
		if (*x != *y) {
			return *x < *y ? -1 : 1;
		}
	}
	return 0;
}

/* ---- the board: storage, outputs -------------------------------------------------------------- */

extern "C" void myseal_storage_read(uint16_t at, uint8_t *buffer, uint8_t length)
{
	host_eeprom_read(MYSEAL_WASM_EEPROM_BASE + at, buffer, length);
}

extern "C" void myseal_storage_write(uint16_t at, const uint8_t *buffer, uint8_t length)
{
	host_eeprom_write(MYSEAL_WASM_EEPROM_BASE + at, buffer, length);
}

void mysealLockChanged(bool locked)
{
	host_lock_changed(locked ? 1 : 0);
}

bool mysealSet(uint8_t child, uint8_t type, uint8_t payloadType, const uint8_t *value, uint8_t length)
{
	return host_set(child, type, payloadType, value, length) != 0;
}

/* ---- the sketch API ------------------------------------------------------------------------------ */

static uint8_t buffer[32];  // bytes in: a key, a frame, a report's value
static uint8_t io[32];      // a frame out (25 bytes at most)
static uint8_t opened[16];  // a command's plaintext, seen only when the host asks which it was

static uint32_t send(uint8_t child, uint8_t length)
{
	if (length != 0) {
		host_send(child, io, length);
	}
	return length;
}

MYSEAL_WASM_EXPORT("buffer") uint8_t *myseal_wasm_buffer(void)
{
	return buffer;
}

/* Settings, before begin(), as MySeal.h's chained calls make them. lock_child 255: no lock. */
MYSEAL_WASM_EXPORT("configure")
void myseal_wasm_configure(uint32_t lock_child, uint32_t guarded, uint32_t max_attempts,
                           uint32_t lockout_first_ms, uint32_t lockout_cap_ms,
                           uint32_t challenge_window_ms, uint32_t relock_ms)
{
	if (lock_child != 255) {
		myseal_lock_enable(static_cast<uint8_t>(lock_child));
		myseal_lock_max_attempts(static_cast<uint8_t>(max_attempts));
		myseal_lock_lockout(lockout_first_ms, lockout_cap_ms);
		myseal_lock_relock(static_cast<uint16_t>(relock_ms));
	}
	myseal_guard_children(static_cast<uint16_t>(guarded));
	myseal_challenge_window(static_cast<uint16_t>(challenge_window_ms));
}

/* The node starts: its key (16 bytes) in the buffer, wiped here; pin as MYSEAL_PIN() makes it. */
MYSEAL_WASM_EXPORT("begin") void myseal_wasm_begin(uint32_t node_id, uint32_t pin_bcd)
{
	myseal_begin(static_cast<uint8_t>(node_id), host_millis(), buffer, pin_bcd);
	myseal_wipe(buffer, sizeof buffer);
}

/*
 * A C_STREAM type-83 message from `sender` on `child`, its payload (length bytes) in the buffer:
 * seal.handle(). The verdict (myseal_verdict.h); with `observe`, and when the node acted on the
 * frame, its operation in bits 8-15 (found by opening the frame once more, which changes nothing:
 * for tests and logs that say what the node did).
 */
MYSEAL_WASM_EXPORT("receive")
uint32_t myseal_wasm_receive(uint32_t sender, uint32_t child, uint32_t length, uint32_t observe)
{
	if (length > sizeof buffer) {
		length = sizeof buffer;  // more than a MySensors payload never reaches a node
	}
	uint32_t op = 0;
	if (observe && myseal_open(static_cast<uint8_t>(sender), static_cast<uint8_t>(child), buffer,
	                           static_cast<uint8_t>(length), opened) == MYSEAL_OK) {
		op = opened[0];
	}
	myseal_wipe(opened, sizeof opened);
	send(static_cast<uint8_t>(child),
	     myseal_receive(host_millis(), static_cast<uint8_t>(sender), static_cast<uint8_t>(child),
	                    buffer, static_cast<uint8_t>(length), io));
	const uint32_t verdict = myseal_verdict();
	return verdict == MYSEAL_OK ? (verdict | op << 8) : verdict;
}

/* seal.poll(): auto-relock when due. The length of the report sent (0: none). */
MYSEAL_WASM_EXPORT("poll") uint32_t myseal_wasm_poll(void)
{
	if (myseal_lock_route() == 0) {
		return 0;
	}
	return send(myseal_lock_child(), myseal_poll(host_millis(), io));
}

/* seal.setLocked(): the lock turned by hand or by a button. */
MYSEAL_WASM_EXPORT("set_locked") uint32_t myseal_wasm_set_locked(uint32_t locked)
{
	return send(myseal_lock_child(), myseal_set_locked(host_millis(), locked != 0 ? 1 : 0, io));
}

/* seal.report(): a sealed report of the value in the buffer (at most 10 bytes). */
MYSEAL_WASM_EXPORT("report")
uint32_t myseal_wasm_report(uint32_t child, uint32_t type, uint32_t payload_type, uint32_t length)
{
	return send(static_cast<uint8_t>(child),
	            myseal_report(static_cast<uint8_t>(child), static_cast<uint8_t>(type),
	                          static_cast<uint8_t>(payload_type), buffer, static_cast<uint8_t>(length),
	                          io));
}

MYSEAL_WASM_EXPORT("is_locked") uint32_t myseal_wasm_is_locked(void)
{
	return myseal_is_locked() ? 1 : 0;
}

MYSEAL_WASM_EXPORT("attempts_left") uint32_t myseal_wasm_attempts_left(void)
{
	return myseal_attempts_left(host_millis());
}

MYSEAL_WASM_EXPORT("lockout_seconds") uint32_t myseal_wasm_lockout_seconds(void)
{
	return myseal_lockout_seconds(host_millis());
}

/* What the store holds now (myseal_store.h): for tests that check what a reset keeps. */
MYSEAL_WASM_EXPORT("store_hot") uint8_t *myseal_wasm_store_hot(void)
{
	return myseal_store_hot();
}

MYSEAL_WASM_EXPORT("store_key") uint8_t *myseal_wasm_store_key(void)
{
	return myseal_store_key();
}

MYSEAL_WASM_EXPORT("store_pin") uint8_t *myseal_wasm_store_pin(void)
{
	return myseal_store_pin();
}
