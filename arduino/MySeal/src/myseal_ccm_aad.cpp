/*
 * MySeal: AES-128-CCM with associated data. MySeal frames have none; these two entry points
 * exist so the RFC 3610 known-answer packets (which all have some) run through the very core
 * the frames use. A sketch that does not call them does not link them (-ffunction-sections,
 * --gc-sections); the core's own share of associated-data handling is a few instructions.
 */
#include "myseal_ccm.h"
#include "myseal_ccm_internal.h"

void myseal_ccm_seal_aad(const uint8_t key[MYSEAL_AES128_KEY_BYTES],
                         const uint8_t nonce[MYSEAL_CCM_NONCE_BYTES],
                         const uint8_t *aad, uint8_t aad_len,
                         const uint8_t *pt, uint8_t len,
                         uint8_t *ct, uint8_t tag[MYSEAL_CCM_TAG_BYTES])
{
	(void)myseal_ccm_core(key, nonce, pt, len, ct, tag, aad, aad_len, false);
}

bool myseal_ccm_open_aad(const uint8_t key[MYSEAL_AES128_KEY_BYTES],
                         const uint8_t nonce[MYSEAL_CCM_NONCE_BYTES],
                         const uint8_t *aad, uint8_t aad_len,
                         const uint8_t *ct, uint8_t len,
                         const uint8_t tag[MYSEAL_CCM_TAG_BYTES],
                         uint8_t *pt)
{
	// The core reads the tag only, when opening.
	return myseal_ccm_core(key, nonce, ct, len, (uint8_t *)(uintptr_t)tag, pt, aad, aad_len,
	                       true);
}
