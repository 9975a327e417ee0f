/*
 * MySeal: the lock. See myseal_lock.h.
 */
#include "myseal_lock.h"

#include <string.h>

#include "myseal_commands.h"
#include "myseal_ct.h"
#include "myseal_frame.h"
#include "myseal_node.h"
#include "myseal_outgoing.h"
#include "myseal_receive.h"
#include "myseal_store.h"

static uint8_t max_attempts = MYSEAL_DEFAULT_MAX_ATTEMPTS;
static uint32_t lockout_first_ms = MYSEAL_DEFAULT_LOCKOUT_BASE_S * 1000UL;
static uint32_t lockout_cap_ms = MYSEAL_DEFAULT_LOCKOUT_CAP_S * 1000UL;  // below 2^31
static uint16_t relock_ms;         // 0: no auto-relock
static uint32_t lockout_end;       // millis() when the running lockout ends
static uint32_t turned_at;         // millis() of the last turn (auto-relock counts from it)

/* The lock's fields of the store's hot payload. */
#define ATTEMPTS (myseal_store_hot()[MYSEAL_HOT_ATTEMPTS])
#define LEVEL (myseal_store_hot()[MYSEAL_HOT_LEVEL])
#define FLAGS (myseal_store_hot()[MYSEAL_HOT_FLAGS])

void myseal_lock_max_attempts(uint8_t attempts)
{
	max_attempts = attempts != 0 ? attempts : 1;
}

void myseal_lock_lockout(uint32_t first_ms, uint32_t cap_ms)
{
	lockout_first_ms = first_ms;
	lockout_cap_ms = cap_ms;
}

void myseal_lock_relock(uint16_t ms)
{
	relock_ms = ms;
}

uint32_t myseal_lockout_duration(void)
{
	const uint32_t cap = lockout_cap_ms;
	uint32_t ms = lockout_first_ms;
	for (uint8_t level = LEVEL; level > 1 && ms < cap; level--) {
		ms <<= 1;
	}
	return ms < cap ? ms : cap;
}

/* Seconds of lockout left, rounded up; a lockout found over gives the attempts back. */
static uint32_t lockout_left(void)
{
	if (FLAGS & MYSEAL_FLAG_IN_LOCKOUT) {
		const int32_t left = -(int32_t)myseal_elapsed(&lockout_end);
		if (left > 0) {
			return ((uint32_t)left + 999) / 1000;
		}
		// Over: stored with the next record. A reset before that restarts the lockout, which
		// errs the safe way.
		FLAGS &= (uint8_t)~MYSEAL_FLAG_IN_LOCKOUT;
		ATTEMPTS = max_attempts;
		myseal_store_changed();
	}
	return 0;
}

static void turn(uint8_t locked)
{
	FLAGS = (uint8_t)((FLAGS & ~MYSEAL_FLAG_LOCKED) | locked);
	myseal_stamp(&turned_at, 0);
	myseal_store_write();  // stored before the bolt moves
	if (mysealLockChanged) {
		mysealLockChanged(locked != 0);
	}
}

/* Status, lock, unlock and set-PIN: sets the status in io[5], returns the data length. */
static uint8_t command(uint8_t op, const uint8_t *args, uint8_t *io, uint8_t child)
{
	uint8_t *status = io + MYSEAL_BODY_AT, *data = io + MYSEAL_BODY_AT + 5;
	const uint32_t left = lockout_left();

	if (op == MYSEAL_OP_STATUS) {
		*status = MYSEAL_LOCK_STATUS;
		data[0] = FLAGS & MYSEAL_FLAG_LOCKED;
		data[1] = ATTEMPTS;
		myseal_put_be32(data + 2, left);
		return 6;
	}
	if (op == MYSEAL_OP_LOCK) {
		turn(1);
		*status = MYSEAL_LOCKED;
		return 0;
	}

	// Unlock and set-PIN: a PIN attempt, unless a lockout runs (then it is not even compared).
	// The attempt, and the lockout a wrong PIN would start, are stored before the comparison.
	uint32_t seconds = left;
	if (!(FLAGS & MYSEAL_FLAG_IN_LOCKOUT)) {
		if (ATTEMPTS != 0) {
			ATTEMPTS--;
		}
		if (ATTEMPTS == 0) {
			if (LEVEL != 0xff) {
				LEVEL++;
			}
			FLAGS |= MYSEAL_FLAG_IN_LOCKOUT;
		}
		myseal_store_write();

		uint8_t *pin = myseal_store_pin();
		if (myseal_ct_equal(args, pin, MYSEAL_PIN_BYTES)) {
			ATTEMPTS = max_attempts;
			LEVEL = 0;
			FLAGS &= (uint8_t)~MYSEAL_FLAG_IN_LOCKOUT;
			if (op == MYSEAL_OP_UNLOCK) {
				turn(0);
				*status = MYSEAL_UNLOCKED;
			} else {
				memcpy(pin, args + MYSEAL_PIN_BYTES, MYSEAL_PIN_BYTES);
				myseal_store_cold();  // stored before the result goes out (status: DONE)
			}
			return 0;
		}
		if (!(FLAGS & MYSEAL_FLAG_IN_LOCKOUT)) {
			*status = MYSEAL_WRONG_PIN;
			data[0] = ATTEMPTS;
			myseal_challenge_issue(io, child, MYSEAL_BODY_AT + 6);  // a retry needs no GET_CHALLENGE
			return 1 + MYSEAL_CHALLENGE_BYTES;
		}
		myseal_stamp(&lockout_end, myseal_lockout_duration());
		seconds = lockout_left();
	}
	*status = MYSEAL_LOCKED_OUT;
	myseal_put_be32(data, seconds);
	return 4;
}

/* A turn by hand, a button or auto-relock: stored, moved, reported sealed. */
static uint8_t turn_and_report(uint8_t locked, uint8_t *io)
{
	turn(locked);
	return myseal_report_byte(myseal_lock_child(), MYSEAL_V_LOCK_STATUS, locked, io);
}

uint8_t myseal_set_locked(uint32_t now, uint8_t locked, uint8_t *io)
{
	myseal_clock_set(now);
	return turn_and_report(locked != 0, io);
}

static uint8_t entry(uint8_t op, const uint8_t *args, uint8_t *io, uint8_t child)
{
	if (op == MYSEAL_LOCK_POLL) {
		if (relock_ms != 0 && !(FLAGS & MYSEAL_FLAG_LOCKED) &&
		    myseal_elapsed(&turned_at) >= relock_ms) {
			return turn_and_report(1, io);
		}
		return 0;
	}
	if (op == MYSEAL_LOCK_BOOT) {
		if (child) {
			ATTEMPTS = max_attempts;  // a new node: every attempt, locked
			FLAGS |= MYSEAL_FLAG_LOCKED;
		}
		myseal_stamp(&turned_at, 0);
		myseal_stamp(&lockout_end, myseal_lockout_duration());  // running at the reset: in full
		return 0;
	}
	return command(op, args, io, child);
}

void myseal_lock_enable(uint8_t child)
{
	myseal_route_lock(child, entry);
}

bool myseal_is_locked(void)
{
	return (FLAGS & MYSEAL_FLAG_LOCKED) != 0;
}

uint32_t myseal_lockout_seconds(uint32_t now)
{
	myseal_clock_set(now);
	return lockout_left();
}

uint8_t myseal_attempts_left(uint32_t now)
{
	myseal_clock_set(now);
	lockout_left();
	return ATTEMPTS;
}
