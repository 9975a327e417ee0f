/*
 * MySeal: the commands. See myseal_commands.h.
 */
#include "myseal_commands.h"

#include <string.h>

#include "myseal_node.h"
#include "myseal_pin.h"
#include "myseal_platform.h"
#include "myseal_receive.h"
#include "myseal_store.h"

static myseal_lock_entry lock;  // NULL: no lock
static uint8_t lock_child;
static uint16_t guarded;

void myseal_route_lock(uint8_t child, myseal_lock_entry entry)
{
	lock_child = child;
	lock = entry;
}

myseal_lock_entry myseal_lock_route(void)
{
	return lock;
}

uint8_t myseal_lock_child(void)
{
	return lock_child;
}

void myseal_guard_children(uint16_t children)
{
	guarded = children;
}

uint16_t myseal_guarded_children(void)
{
	return guarded;
}

/* What each command needs (opcodes 1-7): argument bytes, then the checks of step 8. */
#define ARGS_MASK 0x0f
#define ARGS_VALUE 0x0f       // a MySensors value: V_ type, payload type, data
#define NEEDS_CHALLENGE 0x10  // only in a CRITICAL frame
#define LOCK_ONLY 0x20        // only for the lock's child
#define PINS(n) ((n) << 6)    // PINs among the arguments, to check for layout

static const uint8_t command_rules[7] MYSEAL_PROGMEM = {
	0,                                                           // GET_CHALLENGE
	LOCK_ONLY,                                                   // STATUS
	LOCK_ONLY,                                                   // LOCK
	MYSEAL_PIN_BYTES | NEEDS_CHALLENGE | LOCK_ONLY | PINS(1),    // UNLOCK: PIN
	2 * MYSEAL_PIN_BYTES | NEEDS_CHALLENGE | LOCK_ONLY | PINS(2), // SET_PIN: old, new
	MYSEAL_SEED_BYTES | NEEDS_CHALLENGE,                         // ROTATE_KEY: seed
	ARGS_VALUE,                                                  // SET: a value
};

/* Value bytes of each payload type (P_STRING 0 to P_FLOAT32 7); strings and P_CUSTOM take 0-9. */
#define ANY_LENGTH 0xff
static const uint8_t value_bytes[8] MYSEAL_PROGMEM = { ANY_LENGTH, 1, 2, 2, 4, 4, ANY_LENGTH, 4 };

/* A set's value (docs/protocol.md 8.4): V_ type, payload type, data of that type's size. */
static bool value_well_formed(const uint8_t *v, uint8_t n)
{
	if (n < 2 || v[1] > MYSEAL_P_FLOAT32) {
		return false;
	}
	const uint8_t type = v[1], length = (uint8_t)(n - 2);
	const uint8_t bytes = MYSEAL_FLASH_BYTE(&value_bytes[type]);
	if (bytes != ANY_LENGTH) {
		return length == bytes;
	}
	for (uint8_t i = 0; type == MYSEAL_P_STRING && i < length; i++) {
		const uint8_t c = v[2 + i];
		if (c < 0x20 || c > 0x7e || c == ';') {
			return false;  // printable, and relayable as a plain gateway line
		}
	}
	return true;  // (a body of 12 never holds more than 9 bytes of value)
}

/* Step 8: 0 when the command may run, else the BAD_REQUEST reason, in TypeScript's order. */
static uint8_t command_refusal(uint8_t op, const uint8_t *args, uint8_t n, uint8_t critical,
                               uint8_t child)
{
	if ((uint8_t)(op - 1) >= sizeof command_rules) {
		return MYSEAL_UNKNOWN_OP;
	}
	uint8_t rule = MYSEAL_FLASH_BYTE(&command_rules[op - 1]);
	if ((rule & ARGS_MASK) == ARGS_VALUE) {
		if (!value_well_formed(args, n)) {
			return MYSEAL_BAD_VALUE;
		}
		if (child < 16 && ((guarded >> child) & 1)) {
			rule |= NEEDS_CHALLENGE;
		}
	} else {
		if (n != (rule & ARGS_MASK)) {
			return MYSEAL_BAD_LENGTH;
		}
		for (uint8_t pins = (uint8_t)(rule >> 6); pins != 0; pins--, args += MYSEAL_PIN_BYTES) {
			if (!myseal_pin_well_formed(args)) {
				return MYSEAL_BAD_PIN;
			}
		}
	}
	if (!critical && (rule & NEEDS_CHALLENGE)) {
		return MYSEAL_CHALLENGE_REQUIRED;
	}
	if ((rule & LOCK_ONLY) && (lock == 0 || child != lock_child)) {
		return MYSEAL_NOT_SUPPORTED;  // status, lock, unlock, set-PIN mean nothing elsewhere
	}
	return 0;
}

uint8_t myseal_run_command(uint8_t *io, uint8_t n, uint8_t critical, uint8_t child)
{
	uint8_t *status = io + MYSEAL_BODY_AT, *data = io + MYSEAL_BODY_AT + 5;
	const uint8_t op = *status, *args = io + MYSEAL_BODY_AT + 1;
	uint8_t refusal = command_refusal(op, args, (uint8_t)(n - 1), critical, child);
	if (refusal != 0) {
		goto refuse;
	}
	*status = MYSEAL_DONE;
	if (op == MYSEAL_OP_GET_CHALLENGE) {
		*status = MYSEAL_CHALLENGE;
		myseal_challenge_issue(io, child, MYSEAL_BODY_AT + 5);
		return MYSEAL_CHALLENGE_BYTES;
	}
	if (op == MYSEAL_OP_ROTATE_KEY) {
		// K' = AES_K(CB | node | seed | 00 00 00), stored (after the counter, in the other cold
		// slot) before the answer, which goes out under K' and so confirms the rotation.
		myseal_store_commit();
		uint8_t *key = myseal_store_key();
		myseal_derive(key, key, 16, MYSEAL_DOMAIN_ROTATION, args[0], args + 1,
		              MYSEAL_SEED_BYTES - 1);
		myseal_store_cold();
		return 0;
	}
	if (op == MYSEAL_OP_SET) {
		myseal_store_commit();  // the counter is in EEPROM before the relay moves
		if (mysealSet && mysealSet(child, args[0], args[1], args + 2, (uint8_t)(n - 3))) {
			return 0;
		}
		refusal = MYSEAL_NOT_SUPPORTED;
		goto refuse;
	}
	return lock(op, args, io, child);  // checked above: a lock on this child
refuse:
	*status = MYSEAL_BAD_REQUEST;
	data[0] = refusal;
	return 1;
}
