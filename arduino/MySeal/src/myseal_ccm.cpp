/*
 * MySeal: AES-128-CCM (RFC 3610, M = 8, L = 2), portable C. See myseal_ccm.h.
 *
 * On AVR the same routine is in assembly (myseal_ccm_avr.S) and this file compiles to nothing
 * unless MYSEAL_C_ONLY is defined; the two follow the same steps in the same order.
 *
 * One routine does both directions. It keeps a 16-byte work block (the CBC-MAC value or a
 * keystream block, in turn) and the first 8 bytes of S0:
 *   sealing: S0, MAC the plaintext, tag = MAC ^ S0, then encrypt (so ct may be pt);
 *   opening: S0, decrypt, MAC the plaintext, compare with tag ^ S0 in constant time.
 */
#include "myseal_ccm.h"
#include "myseal_ccm_internal.h"
#include "myseal_ct.h"

#if !MYSEAL_AVR_ASM

/* work = AES(key, flags | nonce | 0x00 | low): B0 (low = length) or A_i (low = counter i). */
static void encrypt_block(const uint8_t *key, const uint8_t *nonce, uint8_t flags, uint8_t low,
                          uint8_t *work)
{
	work[0] = flags;
	for (uint8_t i = 0; i < MYSEAL_CCM_NONCE_BYTES; ++i) {
		work[1 + i] = nonce[i];
	}
	work[14] = 0;  // high byte of the 16-bit length or counter: both fit a byte
	work[15] = low;
	myseal_aes128_encrypt(key, work);
}

/* CBC-MAC step: XORs the data into work from offset on (zero padding is a no-op), encrypting
 * after every full block and after a partial last one. */
static void mac_chunks(const uint8_t *key, uint8_t *work, uint8_t offset, const uint8_t *data,
                       uint8_t left)
{
	while (left != 0) {
		uint8_t n = (uint8_t)(MYSEAL_AES128_BLOCK_BYTES - offset);
		if (left < n) {
			n = left;
		}
		left = (uint8_t)(left - n);
		for (uint8_t i = 0; i < n; ++i) {
			work[offset + i] = (uint8_t)(work[offset + i] ^ data[i]);
		}
		data += n;
		myseal_aes128_encrypt(key, work);
		offset = 0;
	}
}

/* work = CBC-MAC of B0, the associated data after its 2-byte length, and the plaintext. */
static void mac(const uint8_t *key, const uint8_t *nonce, const uint8_t *aad, uint8_t aad_len,
                const uint8_t *plain, uint8_t len, uint8_t *work)
{
	uint8_t flags = MYSEAL_CCM_FLAGS_B0;
	if (aad_len != 0) {
		flags |= MYSEAL_CCM_FLAGS_ADATA;
	}
	encrypt_block(key, nonce, flags, len, work);
	work[1] = (uint8_t)(work[1] ^ aad_len);  // work[0] ^= 0, the high byte of the length
	mac_chunks(key, work, 2, aad, aad_len);
	mac_chunks(key, work, 0, plain, len);
}

/* Counter mode from A1: out = in ^ S1 S2 ... (out may be in). */
static void ctr(const uint8_t *key, const uint8_t *nonce, const uint8_t *in, uint8_t len,
                uint8_t *out, uint8_t *work)
{
	uint8_t counter = 0;
	while (len != 0) {
		encrypt_block(key, nonce, MYSEAL_CCM_FLAGS_CTR, ++counter, work);
		uint8_t n = len < MYSEAL_AES128_BLOCK_BYTES ? len : (uint8_t)MYSEAL_AES128_BLOCK_BYTES;
		len = (uint8_t)(len - n);
		for (uint8_t i = 0; i < n; ++i) {
			*out++ = (uint8_t)(*in++ ^ work[i]);
		}
	}
}

bool myseal_ccm_core(const uint8_t *key, const uint8_t *nonce, const uint8_t *in, uint8_t len,
                     uint8_t *x, uint8_t *y, const uint8_t *aad, uint8_t aad_len, bool opening)
{
	uint8_t work[MYSEAL_AES128_BLOCK_BYTES];
	uint8_t s0[MYSEAL_CCM_TAG_BYTES];
	bool ok = true;

	encrypt_block(key, nonce, MYSEAL_CCM_FLAGS_CTR, 0, work);
	for (uint8_t i = 0; i < MYSEAL_CCM_TAG_BYTES; ++i) {
		s0[i] = work[i];
	}

	if (!opening) {
		uint8_t *ct = x, *tag = y;
		mac(key, nonce, aad, aad_len, in, len, work);  // before encrypting: ct may be pt
		for (uint8_t i = 0; i < MYSEAL_CCM_TAG_BYTES; ++i) {
			tag[i] = (uint8_t)(work[i] ^ s0[i]);
		}
		ctr(key, nonce, in, len, ct, work);
	} else {
		const uint8_t *tag = x;
		uint8_t *pt = y;
		ctr(key, nonce, in, len, pt, work);  // the MAC is over the plaintext: decrypt first
		mac(key, nonce, aad, aad_len, pt, len, work);
		// Compare the MAC with tag ^ S0 without stopping at the first difference.
		uint8_t diff = 0;
		for (uint8_t i = 0; i < MYSEAL_CCM_TAG_BYTES; ++i) {
			diff = (uint8_t)(diff | (work[i] ^ s0[i] ^ tag[i]));
			MYSEAL_OPAQUE(diff);
		}
		// keep = 0xff when equal (diff - 1 borrows), 0x00 otherwise; the same stores run either way.
		uint8_t keep = (uint8_t)(((uint16_t)diff - 1u) >> 8);
		MYSEAL_OPAQUE(keep);
		for (uint8_t i = 0; i < len; ++i) {
			pt[i] = (uint8_t)(pt[i] & keep);
		}
		ok = (keep & 1u) != 0;
	}
	myseal_wipe(work, sizeof work);
	myseal_wipe(s0, sizeof s0);
	return ok;
}

void myseal_ccm_seal(const uint8_t key[MYSEAL_AES128_KEY_BYTES],
                     const uint8_t nonce[MYSEAL_CCM_NONCE_BYTES],
                     const uint8_t *pt, uint8_t len,
                     uint8_t *ct, uint8_t tag[MYSEAL_CCM_TAG_BYTES])
{
	(void)myseal_ccm_core(key, nonce, pt, len, ct, tag, 0, 0, false);
}

bool myseal_ccm_open(const uint8_t key[MYSEAL_AES128_KEY_BYTES],
                     const uint8_t nonce[MYSEAL_CCM_NONCE_BYTES],
                     const uint8_t *ct, uint8_t len,
                     const uint8_t tag[MYSEAL_CCM_TAG_BYTES],
                     uint8_t *pt)
{
	// The core reads the tag only, when opening.
	return myseal_ccm_core(key, nonce, ct, len, (uint8_t *)(uintptr_t)tag, pt, 0, 0, true);
}

#endif /* !MYSEAL_AVR_ASM */
