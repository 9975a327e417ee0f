/*
 * MySeal: the node side of sealed frames v1 (docs/protocol.md), see myseal_node.h.
 *
 * This is the reference the host tests run; on AVR the node is assembly (myseal_avr.S) that
 * follows it step by step, unless MYSEAL_C_ONLY is defined (see myseal_config.h). The state and
 * the settings are defined here in either case.
 */
#include "myseal_node.h"

#include <avr/eeprom.h>
#include <stddef.h>
#include <string.h>

#include "myseal_aes128.h"
#include "myseal_config.h"
#include "myseal_ct.h"
#include "myseal_frame.h"
#include "myseal_pin.h"

#if defined(__AVR__)
#include <avr/pgmspace.h>
#define MYSEAL_FLASH_BYTE(p) pgm_read_byte(p)
#else
#define PROGMEM
#define MYSEAL_FLASH_BYTE(p) (*(p))
#endif
#define MYSEAL_RULE(op) MYSEAL_FLASH_BYTE(&command_rules[(op) - 1])

struct myseal_settings myseal_settings = {
	0, 1, 0, MYSEAL_DEFAULT_MAX_ATTEMPTS, MYSEAL_DEFAULT_LOCKOUT_BASE_S * 1000UL,
	MYSEAL_DEFAULT_LOCKOUT_CAP_S * 1000UL, MYSEAL_DEFAULT_CHALLENGE_WINDOW_MS, 0, 0
};

struct myseal_state myseal;

#if MYSEAL_AVR_ASM
/* myseal_avr.S reaches the state and the settings by these offsets, and knows these numbers. */
static_assert(offsetof(struct myseal_state, hot_seq) == 0 &&
                  offsetof(struct myseal_state, last_received) == 1 &&
                  offsetof(struct myseal_state, send_reserved) == 5 &&
                  offsetof(struct myseal_state, attempts) == 9 &&
                  offsetof(struct myseal_state, level) == 10 &&
                  offsetof(struct myseal_state, flags) == 11 &&
                  offsetof(struct myseal_state, hot_check) == 12 &&
                  offsetof(struct myseal_state, hot_slot) == 13 &&
                  offsetof(struct myseal_state, send_next) == 14 &&
                  offsetof(struct myseal_state, dirty) == 18 &&
                  offsetof(struct myseal_state, verdict) == 19 &&
                  offsetof(struct myseal_state, challenge_state) == 20 &&
                  offsetof(struct myseal_state, stale_answered) == 21 &&
                  offsetof(struct myseal_state, challenge) == 25 &&
                  offsetof(struct myseal_state, now) == 30 &&
                  offsetof(struct myseal_state, challenge_time) == 34 &&
                  offsetof(struct myseal_state, unlocked_at) == 38 &&
                  offsetof(struct myseal_state, lockout_end) == 42 &&
                  offsetof(struct myseal_state, fingerprint) == 46 &&
                  offsetof(struct myseal_state, key) == 50 &&
                  offsetof(struct myseal_state, pin) == 66,
              "struct myseal_state as myseal_avr.S has it");
static_assert(offsetof(struct myseal_settings, node_id) == 0 &&
                  offsetof(struct myseal_settings, lock_child) == 1 &&
                  offsetof(struct myseal_settings, guarded) == 2 &&
                  offsetof(struct myseal_settings, max_attempts) == 4 &&
                  offsetof(struct myseal_settings, lockout_base_ms) == 5 &&
                  offsetof(struct myseal_settings, lockout_cap_ms) == 9 &&
                  offsetof(struct myseal_settings, challenge_window_ms) == 13 &&
                  offsetof(struct myseal_settings, relock_ms) == 15 &&
                  offsetof(struct myseal_settings, eeprom_base) == 17,
              "struct myseal_settings as myseal_avr.S has it");
static_assert(MYSEAL_OK == 0 && FRAME_TOO_SHORT == 1 && FRAME_TOO_LONG == 2 && BAD_VERSION == 3 &&
                  WRONG_DIRECTION == 4 && BAD_KIND == 5 && REPLAYED_COUNTER == 6 &&
                  NO_CHALLENGE == 7 && AUTH_FAILED == 8 && CHALLENGE_USED == 9 &&
                  CHALLENGE_EXPIRED == 10,
              "the verdicts as myseal_avr.S has them");
static_assert(MYSEAL_FLAG_LOCKED == 1 && MYSEAL_FLAG_IN_LOCKOUT == 2 &&
                  MYSEAL_FLAG_COLD_SLOT == 4 && MYSEAL_CHALLENGE_FRESH == 1 &&
                  MYSEAL_CHALLENGE_SPENT == 2,
              "flags and challenge states as myseal_avr.S has them");
#else

/* ---- EEPROM ------------------------------------------------------------------------------ */

/*
 * n bytes between EEPROM (from `at`) and p, one byte at a time in address order. Writing skips
 * unchanged cells (no wear, no time).
 */
static void ee_io(uint16_t at, uint8_t *p, uint8_t n, uint8_t write)
{
	do {
		uint8_t *cell = (uint8_t *)(uintptr_t)at++;
		if (write) {
			eeprom_update_byte(cell, *p);
		} else {
			*p = eeprom_read_byte(cell);
		}
		p++;
	} while (--n != 0);
}

static uint16_t hot_at(uint8_t slot)
{
	return (uint16_t)(myseal_settings.eeprom_base + MYSEAL_HOT_AT + slot * (MYSEAL_HOT_PAYLOAD + 2));
}

static uint16_t cold_at(void)
{
	return (uint16_t)(myseal_settings.eeprom_base +
	                  ((myseal.flags & MYSEAL_FLAG_COLD_SLOT) ? MYSEAL_COLD_PAYLOAD : 0));
}

void myseal_store_hot(void)
{
	struct myseal_state *s = &myseal;
	uint8_t slot = (uint8_t)(s->hot_slot + 1);
	if (slot >= MYSEAL_HOT_SLOTS) {
		slot = 0;  // also the first write after MYSEAL_NO_SLOT
	}
	s->hot_slot = slot;
	s->hot_seq++;
	s->hot_check = (uint8_t)~s->hot_seq;
	// seq | payload | ~seq: until the last byte is in, the slot does not check out.
	ee_io(hot_at(slot), &s->hot_seq, MYSEAL_HOT_PAYLOAD + 2, 1);
	s->dirty = 0;
}

void myseal_commit(void)
{
	if (myseal.dirty) {
		myseal_store_hot();
	}
}

void myseal_store_cold(void)
{
	myseal.flags ^= MYSEAL_FLAG_COLD_SLOT;
	ee_io(cold_at(), myseal.fingerprint, MYSEAL_COLD_PAYLOAD, 1);
	myseal_store_hot();  // names the new slot: from now on its key and PIN count
}

/* ---- derivations, counters ------------------------------------------------------------- */

void myseal_derive(uint8_t *out, uint8_t out_length, uint8_t domain, uint8_t third,
                   const uint8_t *input, uint8_t input_length)
{
	uint8_t block[16];
	memset(block, 0, sizeof block);
	block[0] = domain;
	block[1] = myseal_settings.node_id;
	block[2] = third;
	memcpy(block + 3, input, input_length);
	myseal_aes128_encrypt(myseal.key, block);
	memcpy(out, block, out_length);  // out may be the key itself (a rotation): written only now
	myseal_wipe(block, sizeof block);
}

/* Big-endian counters: byte order is number order. true when a > b. */
static bool above(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, 4) > 0;
}

static void count_up(uint8_t *c)
{
	for (uint8_t i = 4; i != 0 && ++c[i - 1] == 0; i--) {
	}
}

/* ---- provisioning ------------------------------------------------------------------------ */

void myseal_begin(uint32_t now, const uint8_t key[16], uint32_t pin_bcd)
{
	struct myseal_state *s = &myseal;
	uint8_t fingerprint[4];
	memcpy(s->key, key, sizeof s->key);
	myseal_derive(fingerprint, sizeof fingerprint, MYSEAL_DOMAIN_FINGERPRINT, 0, key, 0);

	// The newest hot record, then the cold slot it names.
	uint8_t best = MYSEAL_NO_SLOT, best_seq = 0;
	for (uint8_t slot = 0; slot < MYSEAL_HOT_SLOTS; slot++) {
		uint8_t ends[2];
		ee_io(hot_at(slot), ends, 1, 0);
		ee_io((uint16_t)(hot_at(slot) + MYSEAL_HOT_PAYLOAD + 1), ends + 1, 1, 0);
		if ((uint8_t)(ends[0] ^ ends[1]) == 0xff &&
		    (best == MYSEAL_NO_SLOT || (int8_t)(ends[0] - best_seq) > 0)) {
			best = slot;
			best_seq = ends[0];
		}
	}
	s->hot_slot = best;
	s->hot_seq = best_seq;  // none: the first record is 1, so 0 (which an erased ~seq cell would
	                        // complement) comes only once every slot has been written
	if (best != MYSEAL_NO_SLOT) {
		ee_io(hot_at(best), &s->hot_seq, MYSEAL_HOT_PAYLOAD + 2, 0);
		ee_io(cold_at(), s->fingerprint, MYSEAL_COLD_PAYLOAD, 0);
	}
	if (best == MYSEAL_NO_SLOT || memcmp(s->fingerprint, fingerprint, sizeof fingerprint) != 0) {
		// First boot, or a new key flashed: that key, the first-boot PIN, counters from 0.
		memset(s->last_received, 0, 8);  // last received and send reserved
		s->attempts = myseal_settings.max_attempts;
		s->level = 0;
		s->flags = (uint8_t)((s->flags & MYSEAL_FLAG_COLD_SLOT) | MYSEAL_FLAG_LOCKED);
		memcpy(s->fingerprint, fingerprint, sizeof fingerprint);
		memcpy(s->key, key, sizeof s->key);
		myseal_put_be32(s->pin, pin_bcd);
		myseal_store_cold();
	}

	// Counters reserved before the reset may have been used: continue after all of them.
	memcpy(s->send_next, s->send_reserved, 4);
	count_up(s->send_next);
	memset(s->stale_answered, 0, 4);
	s->dirty = 0;
	s->challenge_state = MYSEAL_CHALLENGE_NONE;  // a reset forgets the challenge: fail closed
	s->verdict = MYSEAL_OK;
	s->now = now;
	s->unlocked_at = now;
	s->lockout_end = now + myseal_lockout_duration();  // a lockout running at the reset: in full
}

void myseal_begin_P(uint32_t now, const uint8_t *key, uint32_t pin_bcd)
{
	uint8_t in_ram[16];
	for (uint8_t i = 0; i < sizeof in_ram; i++) {
		in_ram[i] = MYSEAL_FLASH_BYTE(key + i);
	}
	myseal_begin(now, in_ram, pin_bcd);
	myseal_wipe(in_ram, sizeof in_ram);
}

/* ---- frames the node sends ------------------------------------------------------------- */

/*
 * A frame the node sends is built in io (25 bytes): frame_begin() takes the next node counter
 * (io[0] = 0, io[1..4] = the counter: the 00 | counter of a challenge block); the body goes to
 * io[5..]; frame_end() stores what changed, sets the header and seals (length, or 0 when nothing
 * may go out). Passing the end of the reservation reserves the rest of that block of 16.
 */
static void frame_begin(uint8_t *io)
{
	struct myseal_state *s = &myseal;
	uint8_t *next = s->send_next;
	io[0] = 0;
	memcpy(io + MYSEAL_COUNTER_AT, next, 4);
	if ((next[0] | next[1] | next[2] | next[3]) == 0) {
		return;  // all 2^32 - 1 used: frame_end() lets nothing out
	}
	if (above(next, s->send_reserved)) {
		memcpy(s->send_reserved, next, 4);
		s->send_reserved[3] |= MYSEAL_SEND_RESERVE - 1;
		s->dirty = 1;
	}
	count_up(next);
}

static uint8_t frame_end(uint8_t *io, uint8_t header, uint8_t child, uint8_t body_length)
{
	myseal_commit();
	io[0] = header;
	if ((io[1] | io[2] | io[3] | io[4]) == 0) {
		return 0;  // counters used up: a node that can no longer seal stays silent
	}
	return myseal_frame_seal(myseal.key, io, body_length, myseal_settings.node_id, 0, child, 0);
}

void myseal_issue_challenge(uint8_t *io, uint8_t child, uint8_t at)
{
	struct myseal_state *s = &myseal;
	// C3 | node | child | 00 | the result's own counter | 00 * 8
	myseal_derive(s->challenge, MYSEAL_CHALLENGE_BYTES, MYSEAL_DOMAIN_CHALLENGE, child, io, 5);
	s->challenge_state = MYSEAL_CHALLENGE_FRESH;  // replaces any older one
	s->challenge_time = s->now;
	memcpy(io + at, s->challenge, MYSEAL_CHALLENGE_BYTES);
}

uint8_t myseal_report(uint32_t now, uint8_t child, uint8_t type, uint8_t payload_type,
                      const void *value, uint8_t length, uint8_t *io)
{
	myseal.now = now;
	if (length > MYSEAL_REPORT_VALUE_MAX) {
		length = MYSEAL_REPORT_VALUE_MAX;
	}
	frame_begin(io);
	io[MYSEAL_BODY_AT] = type;
	io[MYSEAL_BODY_AT + 1] = payload_type;
	memcpy(io + MYSEAL_BODY_AT + 2, value, length);
	return frame_end(io, MYSEAL_HEADER_REPORT, child, (uint8_t)(2 + length));
}

/* ---- the lock ---------------------------------------------------------------------------- */

uint32_t myseal_lockout_duration(void)
{
	const uint32_t cap = myseal_settings.lockout_cap_ms;
	uint32_t ms = myseal_settings.lockout_base_ms;
	for (uint8_t level = myseal.level; level > 1 && ms < cap; level--) {
		ms <<= 1;
	}
	return ms < cap ? ms : cap;
}

/* Seconds of lockout left, rounded up; a lockout found over gives the attempts back. */
static uint32_t lockout_left(void)
{
	struct myseal_state *s = &myseal;
	if (s->flags & MYSEAL_FLAG_IN_LOCKOUT) {
		const int32_t left = (int32_t)(s->lockout_end - s->now);
		if (left > 0) {
			return ((uint32_t)left + 999) / 1000;
		}
		// Over: stored with the next record. A reset before that restarts the lockout, which
		// errs the safe way.
		s->flags &= (uint8_t)~MYSEAL_FLAG_IN_LOCKOUT;
		s->attempts = myseal_settings.max_attempts;
		s->dirty = 1;
	}
	return 0;
}

static void change_lock(uint8_t locked)
{
	struct myseal_state *s = &myseal;
	s->flags = (uint8_t)((s->flags & ~MYSEAL_FLAG_LOCKED) | locked);
	s->unlocked_at = s->now;
	s->dirty = 1;
	myseal_commit();  // stored before the bolt moves
	if (mysealLockChanged) {
		mysealLockChanged(locked != 0);
	}
}

/* Status, lock, unlock and set-PIN: sets the status in io[5], returns the data length. */
static uint8_t lock_command(uint8_t op, const uint8_t *args, uint8_t *io, uint8_t child)
{
	struct myseal_state *s = &myseal;
	uint8_t *status = io + MYSEAL_BODY_AT, *data = io + MYSEAL_BODY_AT + 5;
	const uint32_t left = lockout_left();

	if (op == MYSEAL_OP_STATUS) {
		*status = MYSEAL_LOCK_STATUS;
		data[0] = s->flags & MYSEAL_FLAG_LOCKED;
		data[1] = s->attempts;
		myseal_put_be32(data + 2, left);
		return 6;
	}
	if (op == MYSEAL_OP_LOCK) {
		change_lock(1);
		*status = MYSEAL_LOCKED;
		return 0;
	}

	// Unlock and set-PIN: a PIN attempt, unless a lockout runs (then it is not even compared).
	// The attempt, and the lockout a wrong PIN would start, are stored before the comparison.
	uint32_t seconds = left;
	if (!(s->flags & MYSEAL_FLAG_IN_LOCKOUT)) {
		if (s->attempts != 0) {
			s->attempts--;
		}
		if (s->attempts == 0) {
			if (s->level != 0xff) {
				s->level++;
			}
			s->flags |= MYSEAL_FLAG_IN_LOCKOUT;
		}
		s->dirty = 1;
		myseal_commit();

		if (myseal_ct_equal(args, s->pin, MYSEAL_PIN_BYTES)) {
			s->attempts = myseal_settings.max_attempts;
			s->level = 0;
			s->flags &= (uint8_t)~MYSEAL_FLAG_IN_LOCKOUT;
			if (op == MYSEAL_OP_UNLOCK) {
				change_lock(0);
				*status = MYSEAL_UNLOCKED;
			} else {
				memcpy(s->pin, args + MYSEAL_PIN_BYTES, MYSEAL_PIN_BYTES);
				myseal_store_cold();  // stored before the result goes out
			}
			return 0;
		}
		if (!(s->flags & MYSEAL_FLAG_IN_LOCKOUT)) {
			*status = MYSEAL_WRONG_PIN;
			data[0] = s->attempts;
			myseal_issue_challenge(io, child, MYSEAL_BODY_AT + 6);  // a retry needs no GET_CHALLENGE
			return 1 + MYSEAL_CHALLENGE_BYTES;
		}
		s->lockout_end = s->now + myseal_lockout_duration();
		seconds = lockout_left();
	}
	*status = MYSEAL_LOCKED_OUT;
	myseal_put_be32(data, seconds);
	return 4;
}

uint8_t myseal_set_locked(uint32_t now, uint8_t locked, uint8_t *io)
{
	myseal.now = now;
	locked = locked != 0;
	change_lock(locked);
	return myseal_report(now, myseal_settings.lock_child, MYSEAL_V_LOCK_STATUS, MYSEAL_P_BYTE,
	                     &locked, 1, io);
}

uint8_t myseal_poll(uint32_t now, uint8_t *io)
{
	struct myseal_state *s = &myseal;
	s->now = now;
	if (myseal_settings.relock_ms != 0 && !(s->flags & MYSEAL_FLAG_LOCKED) &&
	    (uint32_t)(now - s->unlocked_at) >= myseal_settings.relock_ms) {
		return myseal_set_locked(now, 1, io);
	}
	return 0;
}

uint32_t myseal_lockout_seconds(uint32_t now)
{
	myseal.now = now;
	return lockout_left();
}

uint8_t myseal_attempts_left(uint32_t now)
{
	myseal.now = now;
	lockout_left();
	return myseal.attempts;
}

/* ---- receiving --------------------------------------------------------------------------- */

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
	struct myseal_state *s = &myseal;
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
	if (!above(frame + MYSEAL_COUNTER_AT, s->last_received)) {
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
	struct myseal_state *s = &myseal;
	uint8_t *status = io + MYSEAL_BODY_AT, *data = io + MYSEAL_BODY_AT + 5;
	const uint8_t op = *status, *args = io + MYSEAL_BODY_AT + 1;
	uint8_t refusal = command_refusal(op, args, (uint8_t)(n - 1), critical, child);
	if (refusal != 0) {
		goto refuse;
	}
	*status = MYSEAL_DONE;
	if (op == MYSEAL_OP_GET_CHALLENGE) {
		*status = MYSEAL_CHALLENGE;
		myseal_issue_challenge(io, child, MYSEAL_BODY_AT + 5);
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
		refusal = MYSEAL_NOT_SUPPORTED;
		goto refuse;
	}
	return lock_command(op, args, io, child);
refuse:
	*status = MYSEAL_BAD_REQUEST;
	data[0] = refusal;
	return 1;
}

uint8_t myseal_receive(uint32_t now, uint8_t sender, uint8_t child, const uint8_t *frame,
                       uint8_t len, uint8_t *io)
{
	struct myseal_state *s = &myseal;
	const uint8_t *counter = frame + MYSEAL_COUNTER_AT;
	uint8_t *data = io + MYSEAL_BODY_AT + 5, n, out = 0;
	s->now = now;
	uint8_t verdict = myseal_open(sender, child, frame, len, io + MYSEAL_BODY_AT);
	if (verdict == MYSEAL_OK) {
		memcpy(s->last_received, counter, 4);  // stored with the first record written below
		s->dirty = 1;
	} else if (verdict != REPLAYED_COUNTER || !above(counter, s->stale_answered)) {
		goto done;  // not authentic, counter 0, or a stale frame answered before
	} else {
		memcpy(s->stale_answered, counter, 4);  // answered once per boot: replays cost nothing
	}

	frame_begin(io);
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
			myseal_issue_challenge(io, child, MYSEAL_BODY_AT + 5);
			n = MYSEAL_CHALLENGE_BYTES;
		} else {
			n = run_command(io, (uint8_t)(len - MYSEAL_OVERHEAD), critical, child);
		}
	}
	memcpy(io + MYSEAL_BODY_AT + 1, counter, 4);  // the command this result answers
	out = frame_end(io, MYSEAL_HEADER_RESULT, child, (uint8_t)(5 + n));
done:
	if (out == 0) {
		myseal_wipe(io + MYSEAL_BODY_AT, MYSEAL_BODY_MAX);  // a PIN may be in there
	}
	s->verdict = verdict;
	return out;
}

#endif /* MYSEAL_AVR_ASM */
