/*
 * avr/eeprom.h stand-in for host builds: the same calls as avr-libc, on an in-memory image of
 * the ATmega328P's 1 KB EEPROM (erased bytes read 0xff). Tests reach the image through
 * myseal_stub_eeprom() and count writes with myseal_stub_eeprom_writes() (wear matters on the
 * real part). Only in the include path of host builds; AVR builds get avr-libc's header.
 */
#ifndef MYSEAL_STUB_AVR_EEPROM_H
#define MYSEAL_STUB_AVR_EEPROM_H

#include <stddef.h>
#include <stdint.h>

#define E2END 0x3FF
#define EEMEM

uint8_t eeprom_read_byte(const uint8_t *addr);
uint16_t eeprom_read_word(const uint16_t *addr);
uint32_t eeprom_read_dword(const uint32_t *addr);
void eeprom_read_block(void *dst, const void *src, size_t n);
void eeprom_write_byte(uint8_t *addr, uint8_t value);
void eeprom_write_word(uint16_t *addr, uint16_t value);
void eeprom_write_dword(uint32_t *addr, uint32_t value);
void eeprom_write_block(const void *src, void *dst, size_t n);
void eeprom_update_byte(uint8_t *addr, uint8_t value);
void eeprom_update_word(uint16_t *addr, uint16_t value);
void eeprom_update_dword(uint32_t *addr, uint32_t value);
void eeprom_update_block(const void *src, void *dst, size_t n);

#include "../../eeprom_stub.h"

#endif /* MYSEAL_STUB_AVR_EEPROM_H */
