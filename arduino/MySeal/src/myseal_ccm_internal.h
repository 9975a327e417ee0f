/*
 * MySeal: the CCM core behind the four entry points of myseal_ccm.h. Private.
 */
#ifndef MYSEAL_CCM_INTERNAL_H
#define MYSEAL_CCM_INTERNAL_H

#include <stdint.h>

#include "myseal_ccm.h"
#include "myseal_config.h"

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
 * Seals or opens, with or without associated data (aad_len 0: none, no Adata flag).
 * x and y are the last two arguments of the entry point, in its order:
 *   sealing (opening = false): x = ct (out), y = tag (written); returns true;
 *   opening (opening = true):  x = tag (read), y = pt (out); returns the verdict, y zeroed if false.
 * In C in myseal_ccm.cpp, in assembly on AVR (myseal_ccm_avr.S, where myseal_ccm_seal and
 * myseal_ccm_open are entries of the same routine).
 */
bool myseal_ccm_core(const uint8_t *key, const uint8_t *nonce, const uint8_t *in, uint8_t len,
                     uint8_t *x, uint8_t *y, const uint8_t *aad, uint8_t aad_len, bool opening);

#ifdef __cplusplus
}
#endif

#endif /* MYSEAL_CCM_INTERNAL_H */
