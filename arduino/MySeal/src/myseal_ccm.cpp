/*
 * MySeal: AES-128-CCM (RFC 3610, M = 8, L = 2), the C core. See myseal_ccm.h. Its twin on the
 * classic AVR cores is in myseal_crypto_avr.S; the two follow the same steps in the same order.
 *
 * One pass over the data, one block at a time, for both directions: the output is the input
 * XORed with the keystream, and the CBC-MAC takes the plaintext (the input when sealing, the
 * output when opening). The tag is the MAC XORed with S0 = E(A0); opening compares it in
 * constant time and zeroes the plaintext unless it matched, with the same steps either way.
 */
#include "myseal_ccm.h"
#include "myseal_ccm_internal.h"
#include "myseal_crypto_avr.h"
#include "myseal_ct.h"

#if !MYSEAL_CRYPTO_AVR  // on the classic AVR cores: myseal_crypto_avr.S

/* block = AES(key, flags | nonce | 0x00 | low): B0 (low = length) or A_i (low = counter i). */
static void encrypt_block(const uint8_t *key, const uint8_t *nonce, uint8_t flags, uint8_t low,
                          uint8_t *block)
{
	block[0] = flags;
	for (uint8_t i = 0; i < MYSEAL_CCM_NONCE_BYTES; ++i) {
		block[1 + i] = nonce[i];
	}
	block[14] = 0;  // high byte of the 16-bit length or counter: both fit a byte
	block[15] = low;
	myseal_aes128_encrypt(key, block);
}

/*
 * mac: NULL, or the CBC-MAC after B0 and associated data. tag is written when sealing and
 * compared when opening. Returns true when sealing or when the tag matched.
 */
static bool ccm(const uint8_t *key, const uint8_t *nonce, const uint8_t *in, uint8_t len,
                uint8_t *out, uint8_t *tag, const uint8_t *mac_given, bool opening)
{
	uint8_t mac[MYSEAL_AES128_BLOCK_BYTES], ks[MYSEAL_AES128_BLOCK_BYTES];
	uint8_t *const out0 = out;
	for (uint8_t i = 0; i < len; ++i) {
		out[i] = in[i];  // then everything happens in out (which may be in)
	}
	if (mac_given) {
		for (uint8_t i = 0; i < MYSEAL_AES128_BLOCK_BYTES; ++i) {
			mac[i] = mac_given[i];
		}
	} else {
		encrypt_block(key, nonce, MYSEAL_CCM_FLAGS_B0, len, mac);
	}
	uint8_t left = len, counter = 0;
	while (left != 0) {
		encrypt_block(key, nonce, MYSEAL_CCM_FLAGS_CTR, ++counter, ks);
		const uint8_t n = left < MYSEAL_AES128_BLOCK_BYTES ? left : (uint8_t)MYSEAL_AES128_BLOCK_BYTES;
		left = (uint8_t)(left - n);
		for (uint8_t i = 0; i < n; ++i) {
			uint8_t plain = *out;
			const uint8_t crypted = (uint8_t)(plain ^ ks[i]);
			*out++ = crypted;
			if (opening) {
				plain = crypted;
			}
			mac[i] = (uint8_t)(mac[i] ^ plain);
		}
		myseal_aes128_encrypt(key, mac);
	}
	encrypt_block(key, nonce, MYSEAL_CCM_FLAGS_CTR, 0, ks);  // S0
	uint8_t diff = 0;
	for (uint8_t i = 0; i < MYSEAL_CCM_TAG_BYTES; ++i) {
		uint8_t t = (uint8_t)(mac[i] ^ ks[i]);
		if (!opening) {
			tag[i] = t;  // read back below: no difference
		}
		diff = (uint8_t)(diff | (t ^ tag[i]));
		MYSEAL_OPAQUE(diff);
	}
	// keep = 0xff when every byte matched (diff - 1 borrows), 0x00 otherwise.
	uint8_t keep = (uint8_t)(((uint16_t)diff - 1u) >> 8);
	MYSEAL_OPAQUE(keep);
	for (uint8_t i = 0; i < len; ++i) {
		out0[i] = (uint8_t)(out0[i] & keep);
	}
	myseal_wipe(mac, sizeof mac);
	myseal_wipe(ks, sizeof ks);
	return (keep & 1u) != 0;
}

void myseal_ccm_seal(const uint8_t key[MYSEAL_AES128_KEY_BYTES],
                     const uint8_t nonce[MYSEAL_CCM_NONCE_BYTES],
                     const uint8_t *pt, uint8_t len,
                     uint8_t *ct, uint8_t tag[MYSEAL_CCM_TAG_BYTES])
{
	(void)ccm(key, nonce, pt, len, ct, tag, 0, false);
}

bool myseal_ccm_open(const uint8_t key[MYSEAL_AES128_KEY_BYTES],
                     const uint8_t nonce[MYSEAL_CCM_NONCE_BYTES],
                     const uint8_t *ct, uint8_t len,
                     const uint8_t tag[MYSEAL_CCM_TAG_BYTES],
                     uint8_t *pt)
{
	// The core reads the tag only, when opening.
	return ccm(key, nonce, ct, len, pt, (uint8_t *)(uintptr_t)tag, 0, true);
}

void myseal_ccm_seal_mac(const uint8_t key[MYSEAL_AES128_KEY_BYTES],
                         const uint8_t nonce[MYSEAL_CCM_NONCE_BYTES], const uint8_t *pt,
                         uint8_t len, uint8_t *ct, uint8_t tag[MYSEAL_CCM_TAG_BYTES],
                         const uint8_t mac[MYSEAL_AES128_BLOCK_BYTES])
{
	(void)ccm(key, nonce, pt, len, ct, tag, mac, false);
}

bool myseal_ccm_open_mac(const uint8_t key[MYSEAL_AES128_KEY_BYTES],
                         const uint8_t nonce[MYSEAL_CCM_NONCE_BYTES], const uint8_t *ct,
                         uint8_t len, const uint8_t tag[MYSEAL_CCM_TAG_BYTES], uint8_t *pt,
                         const uint8_t mac[MYSEAL_AES128_BLOCK_BYTES])
{
	return ccm(key, nonce, ct, len, pt, (uint8_t *)(uintptr_t)tag, mac, true);
}

#endif /* !MYSEAL_CRYPTO_AVR */
