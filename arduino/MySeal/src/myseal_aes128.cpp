/*
 * MySeal: AES-128 encryption in C, with the key schedule run on the fly.
 *
 * The portable block function (every platform but the classic AVR cores, which run its twin in
 * myseal_crypto_avr.S; see myseal_crypto_avr.h), written for size: three short loops a round.
 * The state is 16 bytes, column by column as in FIPS-197 (byte 4c+r is row r of column c). The
 * round key is one 16-byte buffer, advanced one step per round: 16 bytes instead of the 176 of a
 * precomputed schedule, and the caller's key stays untouched. Both are wiped at the end.
 *
 * Nothing below branches on, or indexes RAM by, secret data; the only secret-indexed reads are
 * S-box reads (from flash on AVR, where LPM takes the same 3 cycles for every address).
 */
#include "myseal_aes128.h"
#include "myseal_aes128_internal.h"
#include "myseal_ct.h"

void myseal_aes128_key_step(uint8_t round_key[MYSEAL_AES128_KEY_BYTES], uint8_t rcon)
{
	uint8_t *k = round_key;
	// First word: RotWord, SubWord and the round constant; then each word is XORed with the new
	// word before it.
	k[0] = (uint8_t)(k[0] ^ MYSEAL_SBOX(k[13]) ^ rcon);
	k[1] = (uint8_t)(k[1] ^ MYSEAL_SBOX(k[14]));
	k[2] = (uint8_t)(k[2] ^ MYSEAL_SBOX(k[15]));
	k[3] = (uint8_t)(k[3] ^ MYSEAL_SBOX(k[12]));
	for (uint8_t i = 4; i < MYSEAL_AES128_KEY_BYTES; i++) {
		k[i] = (uint8_t)(k[i] ^ k[i - 4]);
	}
}

#if !MYSEAL_CRYPTO_AVR

/*
 * Multiplication by x (that is, 2) in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1. The reduction
 * mask is made from the top bit (0 - 1 = 0xff, 0 - 0 = 0x00), not taken from a branch.
 */
static uint8_t gf_double(uint8_t a)
{
	const uint8_t reduce = (uint8_t)(0u - (unsigned)(a >> 7));
	return (uint8_t)((uint8_t)(a << 1) ^ (reduce & 0x1b));
}

void myseal_aes128_encrypt(const uint8_t key[MYSEAL_AES128_KEY_BYTES],
                           uint8_t block[MYSEAL_AES128_BLOCK_BYTES])
{
	uint8_t round_key[MYSEAL_AES128_KEY_BYTES], t[MYSEAL_AES128_BLOCK_BYTES];
	for (uint8_t i = 0; i < MYSEAL_AES128_KEY_BYTES; i++) {
		round_key[i] = key[i];
	}
	// The round constant is public, so the loop may branch on it: round r's key takes the r-th
	// constant (01, 02, ... 36), and 6C follows the last.
	uint8_t rcon = 0x01;
	for (;;) {
		for (uint8_t i = 0; i < MYSEAL_AES128_BLOCK_BYTES; i++) {
			block[i] = (uint8_t)(block[i] ^ round_key[i]);  // AddRoundKey
		}
		if (rcon == 0x6c) {
			break;
		}
		// SubBytes and ShiftRows in one pass: row r of column c comes from column c + r.
		for (uint8_t i = 0; i < MYSEAL_AES128_BLOCK_BYTES; i++) {
			t[i] = MYSEAL_SBOX(block[(uint8_t)(i + ((i & 3) << 2)) & 15]);
		}
		// MixColumns, but not in the last round: a_i ^ (a0^a1^a2^a3) ^ 2*(a_i ^ a_(i+1)), the
		// 2,3,1,1 matrix with one shared sum per column.
		const uint8_t mix = rcon != 0x36;
		for (uint8_t c = 0; c < MYSEAL_AES128_BLOCK_BYTES; c += 4) {
			const uint8_t *a = t + c;
			const uint8_t all = mix ? (uint8_t)(a[0] ^ a[1] ^ a[2] ^ a[3]) : 0;
			for (uint8_t r = 0; r < 4; r++) {
				const uint8_t next = a[(r + 1) & 3];
				block[c + r] = (uint8_t)(a[r] ^ (mix ? (uint8_t)(all ^ gf_double((uint8_t)(a[r] ^ next))) : 0));
			}
		}
		myseal_aes128_key_step(round_key, rcon);
		rcon = gf_double(rcon);
	}
	// The last round key gives back the cipher key (the schedule can be run backwards).
	myseal_wipe(round_key, sizeof round_key);
	myseal_wipe(t, sizeof t);
}

#endif /* !MYSEAL_CRYPTO_AVR */
