/*
 * MySeal: AES-128-CCM with associated data. MySeal frames have none; these two entry points
 * exist so the RFC 3610 known-answer packets (which all have some) can be checked. They run the
 * CBC-MAC over B0 and the associated data here, with the cipher, and hand its state to the core
 * the frames use, which goes on with the plaintext, the keystream and the tag. A sketch that
 * does not call them does not link them (-ffunction-sections, --gc-sections).
 */
#include "myseal_ccm.h"
#include "myseal_ccm_internal.h"
#include "myseal_ct.h"

/* mac = CBC-MAC of B0 (with the Adata flag) and aad_len (2 bytes) | aad, zero-padded. */
static void mac_aad(const uint8_t *key, const uint8_t *nonce, const uint8_t *aad, uint8_t aad_len,
                    uint8_t len, uint8_t *mac)
{
	mac[0] = MYSEAL_CCM_FLAGS_B0 | MYSEAL_CCM_FLAGS_ADATA;
	for (uint8_t i = 0; i < MYSEAL_CCM_NONCE_BYTES; ++i) {
		mac[1 + i] = nonce[i];
	}
	mac[14] = 0;
	mac[15] = len;
	myseal_aes128_encrypt(key, mac);
	mac[1] = (uint8_t)(mac[1] ^ aad_len);  // mac[0] ^= 0, the high byte of the length
	uint8_t at = 2;
	for (uint8_t i = 0; i < aad_len; ++i) {
		mac[at] = (uint8_t)(mac[at] ^ aad[i]);
		if (++at == MYSEAL_AES128_BLOCK_BYTES) {
			myseal_aes128_encrypt(key, mac);
			at = 0;
		}
	}
	if (at != 0) {
		myseal_aes128_encrypt(key, mac);  // zero padding changes nothing but the block count
	}
}

void myseal_ccm_seal_aad(const uint8_t key[MYSEAL_AES128_KEY_BYTES],
                         const uint8_t nonce[MYSEAL_CCM_NONCE_BYTES],
                         const uint8_t *aad, uint8_t aad_len,
                         const uint8_t *pt, uint8_t len,
                         uint8_t *ct, uint8_t tag[MYSEAL_CCM_TAG_BYTES])
{
	if (aad_len == 0) {
		myseal_ccm_seal(key, nonce, pt, len, ct, tag);
		return;
	}
	uint8_t mac[MYSEAL_AES128_BLOCK_BYTES];
	mac_aad(key, nonce, aad, aad_len, len, mac);
	myseal_ccm_seal_mac(key, nonce, pt, len, ct, tag, mac);
	myseal_wipe(mac, sizeof mac);
}

bool myseal_ccm_open_aad(const uint8_t key[MYSEAL_AES128_KEY_BYTES],
                         const uint8_t nonce[MYSEAL_CCM_NONCE_BYTES],
                         const uint8_t *aad, uint8_t aad_len,
                         const uint8_t *ct, uint8_t len,
                         const uint8_t tag[MYSEAL_CCM_TAG_BYTES],
                         uint8_t *pt)
{
	if (aad_len == 0) {
		return myseal_ccm_open(key, nonce, ct, len, tag, pt);
	}
	uint8_t mac[MYSEAL_AES128_BLOCK_BYTES];
	mac_aad(key, nonce, aad, aad_len, len, mac);
	const bool ok = myseal_ccm_open_mac(key, nonce, ct, len, tag, pt, mac);
	myseal_wipe(mac, sizeof mac);
	return ok;
}
