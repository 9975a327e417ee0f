/*
 * MySeal: AES-128 encryption in C, with the key schedule run on the fly.
 *
 * This is the portable version (host tests, fuzzing, non-AVR nodes) and the reference the AVR
 * assembly version (in myseal_avr.S) is checked against; see myseal_config.h.
 *
 * The state is 16 bytes, column by column as in FIPS-197 (byte 4c+r is row r of column c). The
 * round key is one 16-byte buffer, advanced one step per round: 16 bytes instead of the 176 of
 * a precomputed schedule, and the caller's key stays untouched. Both are wiped at the end.
 *
 * Nothing below branches on, or indexes RAM by, secret data; the only secret-indexed reads are
 * S-box reads (from flash on AVR, where LPM takes the same 3 cycles for every address).
 */
#include "myseal_aes128.h"
#include "myseal_aes128_internal.h"
#include "myseal_ct.h"

/*
 * Multiplication by x (that is, 2) in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1. The reduction
 * mask is made from the top bit (0 - 1 = 0xff, 0 - 0 = 0x00), not taken from a branch.
 */
static inline __attribute__((always_inline)) uint8_t gf_double(uint8_t a)
{
	uint8_t reduce = (uint8_t)(0u - (unsigned)(a >> 7));
	return (uint8_t)((uint8_t)(a << 1) ^ (reduce & 0x1b));
}

/*
 * Round key i -> round key i+1 (FIPS-197 section 5.2), in place. First word: RotWord, SubWord
 * and the round constant; then each word is XORed with the new word before it. Written out
 * byte by byte: constant offsets are cheap on AVR, a loop over a pointer is not.
 */
static inline __attribute__((always_inline)) void next_round_key(uint8_t *k, uint8_t rcon)
{
	k[0] = (uint8_t)(k[0] ^ MYSEAL_SBOX(k[13]) ^ rcon);
	k[1] = (uint8_t)(k[1] ^ MYSEAL_SBOX(k[14]));
	k[2] = (uint8_t)(k[2] ^ MYSEAL_SBOX(k[15]));
	k[3] = (uint8_t)(k[3] ^ MYSEAL_SBOX(k[12]));
	k[4] = (uint8_t)(k[4] ^ k[0]);
	k[5] = (uint8_t)(k[5] ^ k[1]);
	k[6] = (uint8_t)(k[6] ^ k[2]);
	k[7] = (uint8_t)(k[7] ^ k[3]);
	k[8] = (uint8_t)(k[8] ^ k[4]);
	k[9] = (uint8_t)(k[9] ^ k[5]);
	k[10] = (uint8_t)(k[10] ^ k[6]);
	k[11] = (uint8_t)(k[11] ^ k[7]);
	k[12] = (uint8_t)(k[12] ^ k[8]);
	k[13] = (uint8_t)(k[13] ^ k[9]);
	k[14] = (uint8_t)(k[14] ^ k[10]);
	k[15] = (uint8_t)(k[15] ^ k[11]);
}

void myseal_aes128_key_step(uint8_t round_key[MYSEAL_AES128_KEY_BYTES], uint8_t rcon)
{
	next_round_key(round_key, rcon);
}

#if !MYSEAL_AVR_ASM

/* SubBytes and ShiftRows in one pass: row r moves r columns left while going through the S-box. */
static inline __attribute__((always_inline)) void sub_bytes_shift_rows(uint8_t *s)
{
	uint8_t t;
	// Row 0: no shift.
	s[0] = MYSEAL_SBOX(s[0]);
	s[4] = MYSEAL_SBOX(s[4]);
	s[8] = MYSEAL_SBOX(s[8]);
	s[12] = MYSEAL_SBOX(s[12]);
	// Row 1: one column left.
	t = s[1];
	s[1] = MYSEAL_SBOX(s[5]);
	s[5] = MYSEAL_SBOX(s[9]);
	s[9] = MYSEAL_SBOX(s[13]);
	s[13] = MYSEAL_SBOX(t);
	// Row 2: two columns, that is two swaps.
	t = s[2];
	s[2] = MYSEAL_SBOX(s[10]);
	s[10] = MYSEAL_SBOX(t);
	t = s[6];
	s[6] = MYSEAL_SBOX(s[14]);
	s[14] = MYSEAL_SBOX(t);
	// Row 3: three columns left, that is one right.
	t = s[15];
	s[15] = MYSEAL_SBOX(s[11]);
	s[11] = MYSEAL_SBOX(s[7]);
	s[7] = MYSEAL_SBOX(s[3]);
	s[3] = MYSEAL_SBOX(t);
}

/*
 * MixColumns followed by AddRoundKey on one column. Each output byte is
 * a_i ^ (a0^a1^a2^a3) ^ 2*(a_i ^ a_(i+1)), which is the usual 2,3,1,1 matrix with one shared
 * sum per column; the round key is XORed in while the byte is still in a register.
 */
static inline __attribute__((always_inline)) void mix_column_add_key(uint8_t *s, const uint8_t *k)
{
	uint8_t a0 = s[0], a1 = s[1], a2 = s[2], a3 = s[3];
	uint8_t all = (uint8_t)(a0 ^ a1 ^ a2 ^ a3);
	s[0] = (uint8_t)(a0 ^ all ^ gf_double((uint8_t)(a0 ^ a1)) ^ k[0]);
	s[1] = (uint8_t)(a1 ^ all ^ gf_double((uint8_t)(a1 ^ a2)) ^ k[1]);
	s[2] = (uint8_t)(a2 ^ all ^ gf_double((uint8_t)(a2 ^ a3)) ^ k[2]);
	s[3] = (uint8_t)(a3 ^ all ^ gf_double((uint8_t)(a3 ^ a0)) ^ k[3]);
}

void myseal_aes128_encrypt(const uint8_t key[MYSEAL_AES128_KEY_BYTES],
                           uint8_t block[MYSEAL_AES128_BLOCK_BYTES])
{
	// State and round key are locals at fixed offsets: on AVR both are then one LDD/STD away
	// from the frame pointer, instead of going through a pointer that has no displacement.
	uint8_t state[MYSEAL_AES128_BLOCK_BYTES];
	uint8_t round_key[MYSEAL_AES128_KEY_BYTES];
	for (uint8_t i = 0; i < MYSEAL_AES128_BLOCK_BYTES; ++i) {
		round_key[i] = key[i];
		state[i] = (uint8_t)(block[i] ^ key[i]);
	}

	// Rounds 1-9 end with MixColumns, round 10 does not. The round constant is public, so the
	// loop may branch on it; 0x36 is the constant of round 10.
	uint8_t rcon = 0x01;
	for (;;) {
		sub_bytes_shift_rows(state);
		next_round_key(round_key, rcon);
		if (rcon == 0x36) {
			break;
		}
		mix_column_add_key(state + 0, round_key + 0);
		mix_column_add_key(state + 4, round_key + 4);
		mix_column_add_key(state + 8, round_key + 8);
		mix_column_add_key(state + 12, round_key + 12);
		rcon = gf_double(rcon);
	}
	for (uint8_t i = 0; i < MYSEAL_AES128_BLOCK_BYTES; ++i) {
		block[i] = (uint8_t)(state[i] ^ round_key[i]);
	}

	// The last round key gives back the cipher key (the schedule can be run backwards).
	myseal_wipe(round_key, sizeof round_key);
	myseal_wipe(state, sizeof state);
}

#endif /* !MYSEAL_AVR_ASM */
