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
 * Written for an 8-bit core: counters stay big-endian byte arrays, as they travel (compared with
 * memcmp, never assembled into 32-bit numbers); the fields used most come first, so code reaches
 * all of them from one pointer register (AVR LDD/STD displacements go up to 63).
 */
#ifndef MYSEAL_STATE_H
#define MYSEAL_STATE_H

#include <stdint.h>

#include "myseal_protocol.h"

/* flags */
#define MYSEAL_FLAG_LOCKED 0x01
#define MYSEAL_FLAG_IN_LOCKOUT 0x02

/* challenge_state */
#define MYSEAL_CHALLENGE_NONE 0
#define MYSEAL_CHALLENGE_FRESH 1
#define MYSEAL_CHALLENGE_SPENT 2

struct myseal_state {
	/* The hot record (MYSEAL_HOT_PAYLOAD bytes), stored before the node acts. */
	uint8_t last_received[4];  // highest controller counter accepted, BE (0: none yet)
	uint8_t send_reserved[4];  // node counters up to here may be used without a write, BE
	uint8_t attempts;          // wrong PINs still allowed before a lockout
	uint8_t level;             // lockouts since the last correct PIN (each doubles the next)
	uint8_t flags;             // MYSEAL_FLAG_*

	uint8_t dirty;             // the hot record differs from its newest copy in EEPROM
	uint8_t hot_slot;          // ring slot and sequence number of that copy
	uint8_t hot_seq;
	uint8_t cold_slot;
	uint8_t cold_seq;
	uint8_t verdict;           // of the last frame received
	uint8_t challenge_state;
	uint8_t challenge[MYSEAL_CHALLENGE_BYTES];
	uint8_t send_next[4];      // next node counter, BE (0: all 2^32 - 1 used)
	uint8_t stale_answered[4]; // highest stale counter answered since boot, BE
	uint32_t now;              // millis() of the call in progress
	uint32_t challenge_time;   // millis() when the challenge was issued
	uint32_t unlocked_at;      // millis() of the last unlock (auto-relock)
	uint32_t lockout_tick;     // millis() of the last whole second of lockout counted off
	uint32_t lockout_s;        // seconds of lockout left

	/* The cold record (MYSEAL_COLD_PAYLOAD bytes). */
	uint8_t fingerprint[4];    // AES_flashed_key(CF | node | 0...)[0..3]: a new key starts over
	uint8_t key[16];
	uint8_t pin[MYSEAL_PIN_BYTES];  // packed BCD, as on the wire
};

/* Settings, made by the sketch before myseal_begin(). In .data: 15 bytes, with their defaults. */
struct myseal_settings {
	uint8_t node_id;
	uint8_t lock_child;           // 0xFF: no lock on this node
	uint16_t guarded;             // bit c: sets to child c (0-15) must be challenge-bound
	uint8_t max_attempts;
	uint16_t lockout_base_s;
	uint32_t lockout_cap_s;
	uint16_t challenge_window_ms;
	uint16_t relock_ms;           // 0: no auto-relock
	uint16_t eeprom_base;
};

#ifdef __cplusplus
extern "C" {
#endif

extern struct myseal_state myseal;
extern struct myseal_settings myseal_settings;

#ifdef __cplusplus
}
#endif

/*
 * &myseal, in a register: without the barrier the compiler knows the address and spends four
 * bytes of flash (LDS/STS) on every access instead of two (LDD/STD from the pointer).
 */
static inline struct myseal_state *myseal_base(void)
{
	struct myseal_state *s = &myseal;
#if defined(__AVR__)
	__asm__("" : "+e"(s));
#endif
	return s;
}

#ifdef __cplusplus
extern "C" {
#endif

/* myseal_store.cpp: the EEPROM records. */
void myseal_store_hot(void);
void myseal_store_cold(void);
void myseal_commit(void);  // stores the hot record if it changed

/*
 * myseal_derive.cpp: out[0..out_length) = AES_key(domain | node | third | input | 00...), the
 * input at block[3..3 + input_length). The block is wiped before returning.
 */
void myseal_derive(uint8_t *out, uint8_t out_length, uint8_t domain, uint8_t third,
                   const uint8_t *input, uint8_t input_length);

/* myseal_lock.cpp */
void myseal_lockout_tick(void);
uint32_t myseal_lockout_duration(void);
void myseal_change_lock(uint8_t locked);
uint8_t myseal_lock_command(uint8_t op, const uint8_t *args, uint8_t *io, uint8_t child);

/*
 * myseal_reply.cpp. A frame the node sends is built in io (25 bytes): myseal_frame_begin() takes
 * the next node counter (io[0] = 0, io[1..4] = the counter: the 00 | counter of a challenge
 * block); the body goes to io[5..]; myseal_frame_end() sets the header, stores what changed and
 * seals (length, or 0 when nothing may go out).
 */
void myseal_frame_begin(uint8_t *io);
void myseal_issue_challenge(const uint8_t *io, uint8_t child, uint8_t *dst);
uint8_t myseal_frame_end(uint8_t *io, uint8_t header, uint8_t child, uint8_t body_length);

#ifdef __cplusplus
}
#endif

#endif /* MYSEAL_STATE_H */
