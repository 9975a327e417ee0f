/*
 * MySeal: AES-128-CCM as in RFC 3610, with the parameters MySeal uses:
 *   M = 8  (8-byte authentication tag),
 *   L = 2  (2-byte length field, so a 13-byte nonce).
 *
 * Lengths are uint8_t: a MySensors payload is at most 25 bytes and a MySeal frame carries at
 * most 12 bytes of plaintext, so a byte is enough and keeps the AVR code short. Any length
 * 0-255 works (RFC 3610's packets have 23-25).
 *
 * MySeal frames have no associated data. myseal_ccm_seal_aad() and myseal_ccm_open_aad() exist
 * for RFC 3610's known-answer packets, which all have some: they run the CBC-MAC over B0 and the
 * associated data in C (myseal_ccm_aad.cpp) and hand its state to the core the frames use, which
 * does the rest. They live in their own file, so the linker drops them from a node that does not
 * call them.
 *
 * Cost on an ATmega328P at 16 MHz (the assembly of myseal_crypto_avr.S, bench/avr.ts): opening or
 * sealing a 12-byte frame takes about 21 350 cycles (1.33 ms), 4 AES blocks plus the mode; 82 bytes
 * of stack at the deepest, no static RAM. The blocks live on the stack and are wiped before returning. In
 * general a call costs ceil(len/16) + 1 blocks for the MAC (plus the associated data's) and
 * ceil(len/16) + 1 for the keystream.
 */
#ifndef MYSEAL_CCM_H
#define MYSEAL_CCM_H

#include <stdint.h>
#ifndef __cplusplus
#include <stdbool.h>
#endif

#include "myseal_aes128.h"

#define MYSEAL_CCM_NONCE_BYTES 13
#define MYSEAL_CCM_TAG_BYTES 8
#define MYSEAL_CCM_MAX_BYTES 255

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Encrypts and authenticates: ct = the encrypted pt (len bytes), tag = its 8-byte tag.
 * ct may be pt itself (in place); other overlaps are not allowed.
 * A nonce must never be used twice with the same key.
 */
void myseal_ccm_seal(const uint8_t key[MYSEAL_AES128_KEY_BYTES],
                     const uint8_t nonce[MYSEAL_CCM_NONCE_BYTES],
                     const uint8_t *pt, uint8_t len,
                     uint8_t *ct, uint8_t tag[MYSEAL_CCM_TAG_BYTES]);

/*
 * Checks and decrypts. Returns true and pt = the plaintext when the tag matches; returns false
 * and pt = all zero otherwise (the plaintext of a forged frame is never handed out).
 * pt may be ct itself (in place). Takes the same time whether the tag matches or not.
 */
bool myseal_ccm_open(const uint8_t key[MYSEAL_AES128_KEY_BYTES],
                     const uint8_t nonce[MYSEAL_CCM_NONCE_BYTES],
                     const uint8_t *ct, uint8_t len,
                     const uint8_t tag[MYSEAL_CCM_TAG_BYTES],
                     uint8_t *pt);

/* As above, also authenticating aad_len bytes of associated data (not encrypted, not sent). */
void myseal_ccm_seal_aad(const uint8_t key[MYSEAL_AES128_KEY_BYTES],
                         const uint8_t nonce[MYSEAL_CCM_NONCE_BYTES],
                         const uint8_t *aad, uint8_t aad_len,
                         const uint8_t *pt, uint8_t len,
                         uint8_t *ct, uint8_t tag[MYSEAL_CCM_TAG_BYTES]);

bool myseal_ccm_open_aad(const uint8_t key[MYSEAL_AES128_KEY_BYTES],
                         const uint8_t nonce[MYSEAL_CCM_NONCE_BYTES],
                         const uint8_t *aad, uint8_t aad_len,
                         const uint8_t *ct, uint8_t len,
                         const uint8_t tag[MYSEAL_CCM_TAG_BYTES],
                         uint8_t *pt);

#ifdef __cplusplus
}
#endif

#endif /* MYSEAL_CCM_H */
