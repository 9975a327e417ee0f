/*
 * MySeal: the CCM core behind the entry points of myseal_ccm.h. Private.
 */
#ifndef MYSEAL_CCM_INTERNAL_H
#define MYSEAL_CCM_INTERNAL_H

#include <stdint.h>

#include "myseal_ccm.h"

/*
 * First byte of the blocks (RFC 3610 sections 2.2 and 2.3). Bits 2-0 hold L-1 = 1; B0 also holds
 * (M-2)/2 = 3 in bits 5-3 and, when there is associated data, bit 6.
 */
#define MYSEAL_CCM_FLAGS_CTR 0x01
#define MYSEAL_CCM_FLAGS_B0 0x19
#define MYSEAL_CCM_FLAGS_ADATA 0x40

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Sealing and opening with the CBC-MAC already run over B0 and the associated data: mac is that
 * state (myseal_ccm_aad.cpp makes it); the core goes on with the plaintext as for a frame.
 */
void myseal_ccm_seal_mac(const uint8_t key[MYSEAL_AES128_KEY_BYTES],
                         const uint8_t nonce[MYSEAL_CCM_NONCE_BYTES], const uint8_t *pt,
                         uint8_t len, uint8_t *ct, uint8_t tag[MYSEAL_CCM_TAG_BYTES],
                         const uint8_t mac[MYSEAL_AES128_BLOCK_BYTES]);
bool myseal_ccm_open_mac(const uint8_t key[MYSEAL_AES128_KEY_BYTES],
                         const uint8_t nonce[MYSEAL_CCM_NONCE_BYTES], const uint8_t *ct,
                         uint8_t len, const uint8_t tag[MYSEAL_CCM_TAG_BYTES], uint8_t *pt,
                         const uint8_t mac[MYSEAL_AES128_BLOCK_BYTES]);

#ifdef __cplusplus
}
#endif

#endif /* MYSEAL_CCM_INTERNAL_H */
