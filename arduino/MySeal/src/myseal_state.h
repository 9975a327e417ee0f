/*
 * MySeal: the node's state, in one place. Private to the library (and to its tests, which set up
 * the receiver states the golden vectors describe).
 *
 * Three lifetimes:
 *   cold   key, PIN and the fingerprint of the flashed key: EEPROM, written on rotation or set-PIN;
 *   hot    counters, attempts, lockout level, lock state: EEPROM ring, written before acting;
 *   RAM    challenge, clocks, stale-answer mark: forgotten by a reset (fail closed).
 * The RAM copies of cold and hot are what the EEPROM records hold, byte for byte.
 *
 * Written for an 8-bit core: counters stay big-endian byte arrays, as they travel (compared and
 * counted byte by byte, never assembled into 32-bit numbers).
 */
#ifndef MYSEAL_STATE_H
#define MYSEAL_STATE_H

#include <stdint.h>

#include "myseal_protocol.h"

/* flags (stored in the hot record) */
#define MYSEAL_FLAG_LOCKED 0x01
#define MYSEAL_FLAG_IN_LOCKOUT 0x02
#define MYSEAL_FLAG_COLD_SLOT 0x04  // which of the two cold slots holds key and PIN

/* challenge_state */
#define MYSEAL_CHALLENGE_NONE 0
#define MYSEAL_CHALLENGE_FRESH 1
#define MYSEAL_CHALLENGE_SPENT 2

struct myseal_state {
	/* The hot record as a ring slot holds it: seq | MYSEAL_HOT_PAYLOAD bytes | ~seq. */
	uint8_t hot_seq;           // sequence number of the newest record written or loaded
	uint8_t last_received[4];  // highest controller counter accepted, BE (0: none yet)
	uint8_t send_reserved[4];  // node counters up to here may be used without a write, BE
	uint8_t attempts;          // wrong PINs still allowed before a lockout
	uint8_t level;             // lockouts since the last correct PIN (each doubles the next)
	uint8_t flags;             // MYSEAL_FLAG_*
	uint8_t hot_check;         // ~hot_seq

	uint8_t hot_slot;          // ring slot of the newest record
	uint8_t send_next[4];      // next node counter, BE (0: all 2^32 - 1 used)
	/* Cleared at boot, together. */
	uint8_t dirty;             // the hot record differs from its newest copy in EEPROM
	uint8_t verdict;           // of the last frame received
	uint8_t challenge_state;
	uint8_t stale_answered[4]; // highest stale counter answered since boot, BE
	uint8_t challenge[MYSEAL_CHALLENGE_BYTES];
	uint32_t now;              // millis() of the call in progress
	uint32_t challenge_time;   // millis() when the challenge was issued
	uint32_t unlocked_at;      // millis() of the last lock change (auto-relock)
	uint32_t lockout_end;      // millis() when the running lockout ends

	/* The cold record (MYSEAL_COLD_PAYLOAD bytes). */
	uint8_t fingerprint[4];    // AES_flashed_key(CF | node | 0...)[0..3]: a new key starts over
	uint8_t key[16];
	uint8_t pin[MYSEAL_PIN_BYTES];  // packed BCD, as on the wire
};

/* Settings, made by the sketch before myseal_begin(). In .data, with their defaults. */
struct myseal_settings {
	uint8_t node_id;
	uint8_t lock_child;           // 0xFF: no lock on this node
	uint16_t guarded;             // bit c: sets to child c (0-15) must be challenge-bound
	uint8_t max_attempts;
	uint32_t lockout_base_ms;     // the first lockout
	uint32_t lockout_cap_ms;      // the longest (below 2^31)
	uint16_t challenge_window_ms;
	uint16_t relock_ms;           // 0: no auto-relock
	uint16_t eeprom_base;
};

#ifdef __cplusplus
extern "C" {
#endif

extern struct myseal_state myseal;
extern struct myseal_settings myseal_settings;

/* The EEPROM records (see myseal_store.h). */
void myseal_store_hot(void);
void myseal_store_cold(void);  // key and PIN to the other cold slot, then a hot record naming it
void myseal_commit(void);      // stores the hot record if it changed

/*
 * out[0..out_length) = AES_key(domain | node | third | input | 00...), the input at
 * block[3..3 + input_length). The block is wiped before returning.
 */
void myseal_derive(uint8_t *out, uint8_t out_length, uint8_t domain, uint8_t third,
                   const uint8_t *input, uint8_t input_length);

/* The running lockout's length from its level (ms), and the result-building steps. */
uint32_t myseal_lockout_duration(void);

/*
 * A challenge for the result being built in io (io[0] = 0, io[1..4] = its counter: the 00 | counter
 * of the derivation block), held as the node's current one and copied to io[at..at + 4].
 */
void myseal_issue_challenge(uint8_t *io, uint8_t child, uint8_t at);

#ifdef __cplusplus
}
#endif

#endif /* MYSEAL_STATE_H */
