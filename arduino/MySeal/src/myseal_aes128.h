/*
 * MySeal: AES-128, forward cipher only.
 *
 * CCM (RFC 3610) only ever runs the block cipher forwards, for the CBC-MAC and for the
 * counter-mode keystream, so there is no decryption and no inverse S-box.
 *
 * Made for an ATmega328P (2 KB RAM): the caller keeps one 16-byte key and each call expands
 * it round by round in one 16-byte buffer; there is no 176-byte key schedule in RAM and no
 * static state. The 256-byte S-box lives in flash on AVR. On the classic AVR cores the cipher is
 * assembly (myseal_crypto_avr.S): about 5 000 cycles per block at 16 MHz (5 500 through this
 * entry, which saves the caller's registers and wipes what it used); elsewhere the C of
 * myseal_aes128.cpp runs (myseal_crypto_avr.h says which and why).
 *
 * Timing: on AVR the cipher takes the same number of cycles for every key and block. There is
 * no data cache, LPM (the flash table read) takes 3 cycles whatever the address, and the code
 * has no branch that depends on secret data (the on-chip test checks this with Timer1).
 * Elsewhere the C version runs; a table lookup is only constant-time where memory reads are
 * (small cacheless cores). On a CPU with a data cache (a PC) it is not: the host build is for
 * tests.
 */
#ifndef MYSEAL_AES128_H
#define MYSEAL_AES128_H

#include <stdint.h>

#define MYSEAL_AES128_KEY_BYTES 16
#define MYSEAL_AES128_BLOCK_BYTES 16

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Encrypts one block in place: block = AES-128(key, block).
 * key and block must not overlap. Leaves no key material on the stack.
 */
void myseal_aes128_encrypt(const uint8_t key[MYSEAL_AES128_KEY_BYTES],
                           uint8_t block[MYSEAL_AES128_BLOCK_BYTES]);

/*
 * One step of the AES-128 key schedule (FIPS-197 section 5.2): turns round key i into round
 * key i+1 in place. rcon is the round constant of the new key: 0x01, 0x02, 0x04, ... 0x36.
 * The cipher does this itself; it is public so tests can check FIPS-197 appendix A.1.
 */
void myseal_aes128_key_step(uint8_t round_key[MYSEAL_AES128_KEY_BYTES], uint8_t rcon);

#ifdef __cplusplus
}
#endif

#endif /* MYSEAL_AES128_H */
