/*
 * MySeal: the node's state at boot, from EEPROM, or provisioned from the sketch.
 *
 * The sketch carries the key `myseal keygen` made for it and a first-boot PIN. The node stores
 * them once and from then on uses what EEPROM holds (the PIN changes by set-PIN, the key by
 * rotation). It knows whether the sketch carries the key it was provisioned with by a fingerprint
 * (AES under the flashed key of a fixed block): a sketch flashed with a new key starts over with
 * that key, the first-boot PIN and counters from 0, as the controller does for a new key.
 */
#include <string.h>

#include "myseal_ct.h"
#include "myseal_frame.h"
#include "myseal_node.h"

struct myseal_settings myseal_settings = {
	0, 1, 0, MYSEAL_DEFAULT_MAX_ATTEMPTS, MYSEAL_DEFAULT_LOCKOUT_BASE_S,
	MYSEAL_DEFAULT_LOCKOUT_CAP_S, MYSEAL_DEFAULT_CHALLENGE_WINDOW_MS, 0, 0
};

struct myseal_state myseal;

void myseal_begin(const uint8_t key[16], uint32_t pin_bcd, uint32_t now)
{
	struct myseal_state *s = myseal_base();
	uint8_t fingerprint[4];
	memcpy(s->key, key, sizeof s->key);
	myseal_derive(fingerprint, sizeof fingerprint, MYSEAL_DOMAIN_FINGERPRINT, 0, key, 0);

	const uint16_t base = myseal_settings.eeprom_base;
	s->cold_slot = myseal_ring_load(base, MYSEAL_COLD_SLOTS, MYSEAL_COLD_PAYLOAD, s->fingerprint,
	                                &s->cold_seq);
	s->hot_slot = myseal_ring_load((uint16_t)(base + MYSEAL_HOT_AT), MYSEAL_HOT_SLOTS,
	                               MYSEAL_HOT_PAYLOAD, s->last_received, &s->hot_seq);
	if (s->cold_slot == MYSEAL_NO_SLOT || s->hot_slot == MYSEAL_NO_SLOT ||
	    memcmp(s->fingerprint, fingerprint, sizeof s->fingerprint) != 0) {
		// Counters first: until the new key is stored, the next boot provisions again.
		memset(s->last_received, 0, 8);  // last received and send reserved
		s->attempts = myseal_settings.max_attempts;
		s->level = 0;
		s->flags = MYSEAL_FLAG_LOCKED;
		myseal_store_hot();
		memcpy(s->fingerprint, fingerprint, sizeof s->fingerprint);
		memcpy(s->key, key, sizeof s->key);
		myseal_put_be32(s->pin, pin_bcd);
		myseal_store_cold();
	}

	// Counters reserved before the reset may have been used: continue after all of them.
	memcpy(s->send_next, s->send_reserved, 4);
	for (uint8_t i = 4; i != 0 && ++s->send_next[i - 1] == 0; i--) {
	}
	memset(s->stale_answered, 0, 4);
	s->dirty = 0;
	s->challenge_state = MYSEAL_CHALLENGE_NONE;  // a reset forgets the challenge: fail closed
	s->verdict = MYSEAL_OK;
	s->now = now;
	s->unlocked_at = now;
	s->lockout_tick = now;
	s->lockout_s = 0;
	if (s->flags & MYSEAL_FLAG_IN_LOCKOUT) {
		s->lockout_s = myseal_lockout_duration();  // pulling the power must not shorten it
	}
}
