/*
 * MySeal: where the node's records go. The library core reads and writes its EEPROM area only
 * through these two functions, which the program provides: MySeal.h defines them with MySensors'
 * hardware layer (hwReadConfigBlock(), hwWriteConfigBlock(), on every platform MySensors runs
 * on), the tests with an EEPROM image that can lose power after any byte.
 *
 * `at` is an offset into MySeal's area (0 to MYSEAL_EEPROM_BYTES - 1, myseal_store.h), not an
 * EEPROM address: where the area starts is the program's business (MYSEAL_EEPROM_BASE).
 *
 * What the records need from a write (myseal_store.h): its bytes are stored one after the other,
 * first to last or last to first (avr-libc's eeprom_update_block() goes last to first), so a
 * power cut leaves a prefix or a suffix of them written; bytes that already hold their value may
 * be skipped.
 */
#ifndef MYSEAL_STORAGE_H
#define MYSEAL_STORAGE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

void myseal_storage_read(uint16_t at, uint8_t *buffer, uint8_t length);
void myseal_storage_write(uint16_t at, const uint8_t *buffer, uint8_t length);

#ifdef __cplusplus
}
#endif

#endif /* MYSEAL_STORAGE_H */
