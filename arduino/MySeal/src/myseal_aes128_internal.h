/*
 * MySeal: private to the AES files: the S-box they share.
 */
#ifndef MYSEAL_AES128_INTERNAL_H
#define MYSEAL_AES128_INTERNAL_H

#include "myseal_crypto_avr.h"

#include <stdint.h>

#include "myseal_platform.h"

#define MYSEAL_SBOX(i) MYSEAL_FLASH_BYTE(&myseal_aes128_sbox[(uint8_t)(i)])

#ifdef __cplusplus
extern "C" {
#endif

extern const uint8_t myseal_aes128_sbox[256] MYSEAL_PROGMEM;

#ifdef __cplusplus
}
#endif

#endif /* MYSEAL_AES128_INTERNAL_H */
