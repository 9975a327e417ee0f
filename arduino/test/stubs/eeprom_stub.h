/*
 * The in-memory EEPROM of MySeal's tests (stubs/host/eeprom_host.cpp): on the host it stands in
 * for avr-libc's EEPROM functions; in the on-chip node tests it replaces them (avr-libc's are
 * linked only when nothing else defines them), so a test can cut the power after any byte.
 */
#ifndef MYSEAL_EEPROM_STUB_H
#define MYSEAL_EEPROM_STUB_H

#include <stdint.h>

/* The ATmega328P's 1 KB, whatever the chip the test runs on. */
#define MYSEAL_STUB_EEPROM_BYTES 1024

/* Test access: the raw image (MYSEAL_STUB_EEPROM_BYTES), the number of bytes written since the last reset,
 * and a reset to the erased state. */
uint8_t *myseal_stub_eeprom(void);
uint32_t myseal_stub_eeprom_writes(void);
void myseal_stub_eeprom_erase(void);

/* Called before each byte the EEPROM really changes (writes, and updates that differ), with its
 * address and the value about to be stored. A test cuts the power there: it may store a torn
 * value itself and leave (longjmp), and the write never happens. */
extern void (*myseal_stub_eeprom_before_write)(uint16_t address, uint8_t value);

/* The order eeprom_update_block() writes a block in: last byte first, as avr-libc's does (false,
 * the default), or first to last (true), as MySensors' byte loops on other platforms do. */
extern bool myseal_stub_eeprom_first_to_last;

#endif /* MYSEAL_EEPROM_STUB_H */
