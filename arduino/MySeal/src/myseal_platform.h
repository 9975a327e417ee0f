/*
 * MySeal: the one place the library core looks at the platform. Private to the library.
 *
 * Constant tables (the AES S-box, the command rules) stay in flash on AVR, where flash is not in
 * the data address space and RAM is 2 KB: there they are PROGMEM and read with pgm_read_byte().
 * Every other platform MySensors runs on (ARM, ESP, Linux) reads them as ordinary constants.
 * The core needs nothing else from the platform: storage goes through myseal_storage.h, time and
 * the radio through the caller (MySeal.h).
 */
#ifndef MYSEAL_PLATFORM_H
#define MYSEAL_PLATFORM_H

#include <stdint.h>

#if defined(__AVR__)
#include <avr/pgmspace.h>
#define MYSEAL_PROGMEM PROGMEM
#define MYSEAL_FLASH_BYTE(p) pgm_read_byte(p)
#else
#define MYSEAL_PROGMEM
#define MYSEAL_FLASH_BYTE(p) (*(const uint8_t *)(p))
#endif

#endif /* MYSEAL_PLATFORM_H */
