/*
 * MySeal: the lock (docs/protocol.md 8.5): lock state, PIN attempts, lockouts, auto-relock.
 *
 * - A PIN attempt is counted in EEPROM before the PIN is compared, together with what a wrong PIN
 *   would bring (the lockout, when it is the last attempt): cutting the power at the moment of
 *   the answer never wins a try and never shortens a lockout. A correct PIN gives it all back.
 * - Lockouts last 60 s, doubling with each further one up to 24 h, counted down in whole seconds
 *   of millis() (no division). One running at reset starts over, in full.
 * - The lock state is stored before the lock moves.
 */
#include <string.h>

#include "myseal_ct.h"
#include "myseal_frame.h"
#include "myseal_node.h"

uint32_t myseal_lockout_duration(void)
{
	const uint32_t cap = myseal_settings.lockout_cap_s;
	uint32_t seconds = myseal_settings.lockout_base_s;
	for (uint8_t level = myseal.level; level > 1 && seconds < cap; level--) {
		seconds <<= 1;
	}
	return seconds < cap ? seconds : cap;
}

void myseal_lockout_tick(void)
{
	struct myseal_state *s = myseal_base();
	uint32_t left = s->lockout_s, elapsed = s->now - s->lockout_tick;
	while (left != 0 && elapsed >= 1000) {
		elapsed -= 1000;
		left--;
	}
	s->lockout_tick = s->now - elapsed;
	s->lockout_s = left;
	if ((s->flags & MYSEAL_FLAG_IN_LOCKOUT) && left == 0) {
		// Over: the attempts come back; the level stays until a correct PIN. Stored with the next
		// record: a reset before that restarts the lockout, which errs the safe way.
		s->flags &= (uint8_t)~MYSEAL_FLAG_IN_LOCKOUT;
		s->attempts = myseal_settings.max_attempts;
		s->dirty = 1;
	}
}

void myseal_change_lock(uint8_t locked)
{
	struct myseal_state *s = myseal_base();
	s->flags = (uint8_t)((s->flags & ~MYSEAL_FLAG_LOCKED) | locked);
	s->unlocked_at = s->now;
	s->dirty = 1;
	myseal_commit();
	if (mysealLockChanged) {
		mysealLockChanged(locked != 0);
	}
}

uint8_t myseal_lock_command(uint8_t op, const uint8_t *args, uint8_t *io, uint8_t child)
{
	struct myseal_state *s = myseal_base();
	uint8_t *status = io + MYSEAL_BODY_AT, *data = io + MYSEAL_BODY_AT + 5;
	myseal_lockout_tick();

	if (op == MYSEAL_OP_STATUS) {
		*status = MYSEAL_LOCK_STATUS;
		data[0] = s->flags & MYSEAL_FLAG_LOCKED;
		data[1] = s->attempts;
		myseal_put_be32(data + 2, s->lockout_s);
		return 6;
	}
	if (op == MYSEAL_OP_LOCK) {
		myseal_change_lock(1);
		*status = MYSEAL_LOCKED;
		return 0;
	}

	// Unlock and set-PIN: a PIN attempt, unless a lockout runs (then it is not even compared).
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
				myseal_change_lock(0);
				*status = MYSEAL_UNLOCKED;
			} else {
				s->dirty = 1;  // stored before the result goes out
				memcpy(s->pin, args + MYSEAL_PIN_BYTES, MYSEAL_PIN_BYTES);
				myseal_store_cold();
			}
			return 0;
		}
		if (!(s->flags & MYSEAL_FLAG_IN_LOCKOUT)) {
			*status = MYSEAL_WRONG_PIN;
			data[0] = s->attempts;
			myseal_issue_challenge(io, child, data + 1);  // a retry needs no GET_CHALLENGE
			return 1 + MYSEAL_CHALLENGE_BYTES;
		}
		s->lockout_s = myseal_lockout_duration();
		s->lockout_tick = s->now;
	}
	*status = MYSEAL_LOCKED_OUT;
	myseal_put_be32(data, s->lockout_s);
	return 4;
}

uint8_t myseal_set_locked(uint8_t locked, uint32_t now, uint8_t *io)
{
	myseal.now = now;
	locked = locked != 0;
	myseal_change_lock(locked);
	return myseal_report(myseal_settings.lock_child, MYSEAL_V_LOCK_STATUS, MYSEAL_P_BYTE, &locked, 1,
	                     now, io);
}

uint8_t myseal_poll(uint32_t now, uint8_t *io)
{
	struct myseal_state *s = myseal_base();
	s->now = now;
	myseal_lockout_tick();
	if (myseal_settings.relock_ms != 0 && !(s->flags & MYSEAL_FLAG_LOCKED) &&
	    (uint32_t)(now - s->unlocked_at) >= myseal_settings.relock_ms) {
		return myseal_set_locked(1, now, io);
	}
	return 0;
}

uint32_t myseal_lockout_seconds(uint32_t now)
{
	myseal.now = now;
	myseal_lockout_tick();
	return myseal.lockout_s;
}

uint8_t myseal_attempts_left(uint32_t now)
{
	myseal.now = now;
	myseal_lockout_tick();
	return myseal.attempts;
}
