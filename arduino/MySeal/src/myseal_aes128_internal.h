/*
 * MySeal: private to the AES files (C and AVR assembly versions share the S-box).
 */
#ifndef MYSEAL_AES128_INTERNAL_H
#define MYSEAL_AES128_INTERNAL_H

#include <stdint.h>

#if defined(__AVR__)
#include <avr/pgmspace.h>
#define MYSEAL_PROGMEM PROGMEM
#define MYSEAL_SBOX(i) pgm_read_byte(&myseal_aes128_sbox[(uint8_t)(i)])
#else
#define MYSEAL_PROGMEM
#define MYSEAL_SBOX(i) (myseal_aes128_sbox[(uint8_t)(i)])
#endif

#include "myseal_config.h"

#ifdef __cplusplus
extern "C" {
#endif

extern const uint8_t myseal_aes128_sbox[256] MYSEAL_PROGMEM;

#ifdef __cplusplus
}
#endif

#endif /* MYSEAL_AES128_INTERNAL_H */
