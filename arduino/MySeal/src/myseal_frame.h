/*
 * MySeal: one sealed frame, without any state: the structural checks a receiver makes first, the
 * 13-byte nonce (the same function for both directions), and sealing in place.
 *
 *   frame:  header | counter (BE32) | ciphertext (1-12) | tag (8)
 *   nonce:  header | sender | destination | child | counter (BE32) | challenge (5) or 00 * 5
 */
#ifndef MYSEAL_FRAME_H
#define MYSEAL_FRAME_H

#include <stdint.h>
#ifndef __cplusplus
#include <stdbool.h>
#endif

#include "myseal_ccm.h"
#include "myseal_protocol.h"
#include "myseal_verdict.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Checks 1-3 of the receive order for a frame travelling to a node: length, then version,
 * direction and kind, then a counter other than 0. MYSEAL_OK or the verdict of the first that
 * fails. Reads frame[0..4] only when len allows.
 */
uint8_t myseal_frame_check(const uint8_t *frame, uint8_t len);

/*
 * nonce = frame[0] | sender | destination | child | frame[1..4] | challenge[0..4] (zeros when
 * challenge is NULL). The receiver rebuilds it from the MySensors header it got and what it holds.
 */
void myseal_nonce(uint8_t nonce[MYSEAL_CCM_NONCE_BYTES], const uint8_t *frame, uint8_t sender,
                  uint8_t destination, uint8_t child, const uint8_t *challenge);

/*
 * Seals frame in place: frame[0..4] (header and counter) and the body at frame[5..5+n) are set
 * by the caller; the body is encrypted where it is and the tag follows it. Returns 13 + n.
 * Nodes seal results and reports with it; tests and benchmarks seal commands with it too.
 */
uint8_t myseal_frame_seal(const uint8_t key[MYSEAL_AES128_KEY_BYTES], uint8_t *frame, uint8_t n,
                          uint8_t sender, uint8_t destination, uint8_t child,
                          const uint8_t *challenge);

/* A 16-byte block of RAM for a nonce or a derivation block, built, used and wiped in one go. */
uint8_t *myseal_work_block(void);

/* Counters travel and are kept big-endian (byte order is number order): compared and counted
 * byte by byte, never assembled into 32-bit numbers, which cost an 8-bit core dearly. */
bool myseal_above(const uint8_t a[4], const uint8_t b[4]);  // a > b
void myseal_count_up(uint8_t c[4]);                          // c + 1 (modulo 2^32)
void myseal_counter_copy(uint8_t to[4], const uint8_t from[4]);
bool myseal_counter_zero(const uint8_t c[4]);

uint32_t myseal_be32(const uint8_t *p);
void myseal_put_be32(uint8_t *p, uint32_t v);

#ifdef __cplusplus
}
#endif

#endif /* MYSEAL_FRAME_H */
