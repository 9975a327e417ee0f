/*
 * MySeal: a frame arriving at the node, in the normative order (docs/protocol.md section 9):
 *
 *   1-3  length, header, counter not 0          myseal_frame_check()
 *   4    a challenge held, for CRITICAL         NO_CHALLENGE
 *   5    the tag, under the nonce rebuilt here  AUTH_FAILED
 *   6    counter above the last accepted one    REPLAYED_COUNTER (answered once per frame per boot)
 *   --   the counter is recorded, and stored before the node acts or answers
 *   7    the challenge unused and in time       CHALLENGE_USED / CHALLENGE_EXPIRED (answered)
 *   8    the body well formed and allowed       BAD_REQUEST result
 *   9    act, then seal the result
 *
 * Nothing that fails before 5 is answered: an answer costs a counter, EEPROM wear and airtime, and
 * anyone can send such a frame.
 *
 * The result is built where the command was decrypted (io, the frame buffer the adapter
 * provides): status over the opcode, data from io[10] once the arguments are used, and the
 * command's counter last, over the first four argument bytes.
 */
#include <string.h>

#include "myseal_ccm.h"
#include "myseal_ct.h"
#include "myseal_frame.h"
#include "myseal_node.h"
#include "myseal_pin.h"

#if defined(__AVR__)
#include <avr/pgmspace.h>
#define MYSEAL_RULE(op) pgm_read_byte(&command_rules[(op) - 1])
#else
#define PROGMEM
#define MYSEAL_RULE(op) (command_rules[(op) - 1])
#endif

/* What each command needs (opcodes 1-7): argument bytes, then the checks of step 8. */
#define ARGS_MASK 0x0f
#define ARGS_VALUE 0x0f       // a MySensors value: V_ type, payload type, data
#define NEEDS_CHALLENGE 0x10  // only in a CRITICAL frame
#define LOCK_ONLY 0x20        // only for the lock's child
#define PINS(n) ((n) << 6)    // PINs among the arguments, to check for layout

static const uint8_t command_rules[7] PROGMEM = {
	0,                                                           // GET_CHALLENGE
	LOCK_ONLY,                                                   // STATUS
	LOCK_ONLY,                                                   // LOCK
	MYSEAL_PIN_BYTES | NEEDS_CHALLENGE | LOCK_ONLY | PINS(1),    // UNLOCK: PIN
	2 * MYSEAL_PIN_BYTES | NEEDS_CHALLENGE | LOCK_ONLY | PINS(2), // SET_PIN: old, new
	MYSEAL_SEED_BYTES | NEEDS_CHALLENGE,                         // ROTATE_KEY: seed
	ARGS_VALUE,                                                  // SET: a value
};

uint8_t myseal_open(uint8_t sender, uint8_t child, const uint8_t *frame, uint8_t len, uint8_t *body)
{
	struct myseal_state *s = myseal_base();
	const uint8_t verdict = myseal_frame_check(frame, len);
	if (verdict != MYSEAL_OK) {
		return verdict;
	}
	const uint8_t critical = frame[0] & MYSEAL_KIND_CRITICAL;
	if (critical && s->challenge_state == MYSEAL_CHALLENGE_NONE) {
		return NO_CHALLENGE;  // without a challenge the nonce cannot even be built
	}
	uint8_t nonce[MYSEAL_CCM_NONCE_BYTES];
	// Destination: this node's own id, so a frame sealed for another node (or a broadcast) fails.
	myseal_nonce(nonce, frame, sender, myseal_settings.node_id, child, critical ? s->challenge : 0);
	const uint8_t n = (uint8_t)(len - MYSEAL_OVERHEAD);
	const bool authentic = myseal_ccm_open(s->key, nonce, frame + MYSEAL_BODY_AT, n,
	                                       frame + MYSEAL_BODY_AT + n, body);
	myseal_wipe(nonce, sizeof nonce);
	if (!authentic) {
		return AUTH_FAILED;
	}
	// Counters are big-endian: byte order is number order.
	if (memcmp(frame + MYSEAL_COUNTER_AT, s->last_received, 4) <= 0) {
		return REPLAYED_COUNTER;
	}
	return MYSEAL_OK;
}

/* A set's value (docs/protocol.md 8.4): V_ type, payload type, data of that type's size. */
static bool value_well_formed(const uint8_t *v, uint8_t n)
{
	if (n < 2 || v[1] > MYSEAL_P_FLOAT32) {
		return false;
	}
	const uint8_t type = v[1], length = (uint8_t)(n - 2);
	if (type == MYSEAL_P_STRING) {
		for (uint8_t i = 0; i < length; i++) {
			const uint8_t c = v[2 + i];
			if (c < 0x20 || c > 0x7e || c == ';') {
				return false;  // printable, and relayable as a plain gateway line
			}
		}
		return true;
	}
	// P_CUSTOM takes any 0-9 bytes (a body of 12 never holds more); numbers have their size.
	return type == MYSEAL_P_CUSTOM ||
	       length == (type == MYSEAL_P_BYTE ? 1 : type <= 3 ? 2 : 4);  // INT16, UINT16; 32-bit
}

/* Step 8: 0 when the command may run, else the BAD_REQUEST reason, in TypeScript's order. */
static uint8_t command_refusal(uint8_t op, const uint8_t *args, uint8_t n, uint8_t critical,
                               uint8_t child)
{
	if ((uint8_t)(op - 1) >= sizeof command_rules) {
		return MYSEAL_UNKNOWN_OP;
	}
	uint8_t rule = MYSEAL_RULE(op);
	if ((rule & ARGS_MASK) == ARGS_VALUE) {
		if (!value_well_formed(args, n)) {
			return MYSEAL_BAD_VALUE;
		}
		if (child < 16 && ((myseal_settings.guarded >> child) & 1)) {
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
	if ((rule & LOCK_ONLY) && (child != myseal_settings.lock_child || child == 0xff)) {
		return MYSEAL_NOT_SUPPORTED;  // status, lock, unlock, set-PIN mean nothing elsewhere
	}
	return 0;
}

/* Steps 8 and 9 for the command in io[5..5+n): sets the status, returns the data length. */
static uint8_t run_command(uint8_t *io, uint8_t n, uint8_t critical, uint8_t child)
{
	struct myseal_state *s = myseal_base();
	uint8_t *status = io + MYSEAL_BODY_AT, *data = io + MYSEAL_BODY_AT + 5;
	const uint8_t op = *status, *args = io + MYSEAL_BODY_AT + 1;
	const uint8_t refusal = command_refusal(op, args, (uint8_t)(n - 1), critical, child);
	if (refusal != 0) {
		*status = MYSEAL_BAD_REQUEST;
		data[0] = refusal;
		return 1;
	}
	*status = MYSEAL_DONE;
	if (op == MYSEAL_OP_GET_CHALLENGE) {
		*status = MYSEAL_CHALLENGE;
		myseal_issue_challenge(io, child, data);
		return MYSEAL_CHALLENGE_BYTES;
	}
	if (op == MYSEAL_OP_ROTATE_KEY) {
		// K' = AES_K(CB | node | seed | 00 00 00), stored (after the counter, in the other cold
		// slot) before the answer, which goes out under K' and so confirms the rotation.
		myseal_commit();
		myseal_derive(s->key, sizeof s->key, MYSEAL_DOMAIN_ROTATION, args[0], args + 1,
		              MYSEAL_SEED_BYTES - 1);
		myseal_store_cold();
		return 0;
	}
	if (op == MYSEAL_OP_SET) {
		myseal_commit();  // the counter is in EEPROM before the relay moves
		if (mysealSet && mysealSet(child, args[0], args[1], args + 2, (uint8_t)(n - 3))) {
			return 0;
		}
		*status = MYSEAL_BAD_REQUEST;
		data[0] = MYSEAL_NOT_SUPPORTED;
		return 1;
	}
	return myseal_lock_command(op, args, io, child);
}

uint8_t myseal_receive(uint8_t sender, uint8_t child, const uint8_t *frame, uint8_t len,
                       uint32_t now, uint8_t *io)
{
	struct myseal_state *s = myseal_base();
	const uint8_t *counter = frame + MYSEAL_COUNTER_AT;
	uint8_t *data = io + MYSEAL_BODY_AT + 5, n, out = 0;
	s->now = now;
	uint8_t verdict = myseal_open(sender, child, frame, len, io + MYSEAL_BODY_AT);
	if (verdict == MYSEAL_OK) {
		memcpy(s->last_received, counter, 4);  // stored with the first record written below
		s->dirty = 1;
	} else if (verdict != REPLAYED_COUNTER || memcmp(counter, s->stale_answered, 4) <= 0) {
		goto done;  // not authentic, counter 0, or a stale frame answered before
	} else {
		memcpy(s->stale_answered, counter, 4);  // answered once per boot: replays cost nothing
	}

	myseal_frame_begin(io);
	if (verdict == REPLAYED_COUNTER) {
		// Authentic but stale: the last counter accepted, so a controller restored from a
		// backup can resync.
		io[MYSEAL_BODY_AT] = MYSEAL_STALE_COUNTER;
		memcpy(data, s->last_received, 4);
		n = 4;
	} else {
		const uint8_t critical = frame[0] & MYSEAL_KIND_CRITICAL;
		if (critical) {
			if (s->challenge_state == MYSEAL_CHALLENGE_SPENT) {
				verdict = CHALLENGE_USED;
			} else if ((uint32_t)(now - s->challenge_time) > myseal_settings.challenge_window_ms) {
				verdict = CHALLENGE_EXPIRED;
			}
			s->challenge_state = MYSEAL_CHALLENGE_SPENT;  // single use, whatever the outcome
		}
		if (verdict != MYSEAL_OK) {
			// A used or expired challenge: answered with a new one, so a retry needs no extra trip.
			io[MYSEAL_BODY_AT] = MYSEAL_CHALLENGE_EXPIRED_RESULT;
			myseal_issue_challenge(io, child, data);
			n = MYSEAL_CHALLENGE_BYTES;
		} else {
			n = run_command(io, (uint8_t)(len - MYSEAL_OVERHEAD), critical, child);
		}
	}
	memcpy(io + MYSEAL_BODY_AT + 1, counter, 4);  // the command this result answers
	out = myseal_frame_end(io, MYSEAL_HEADER_RESULT, child, (uint8_t)(5 + n));
done:
	if (out == 0) {
		myseal_wipe(io + MYSEAL_BODY_AT, MYSEAL_BODY_MAX);  // a PIN may be in there
	}
	s->verdict = verdict;
	return out;
}
