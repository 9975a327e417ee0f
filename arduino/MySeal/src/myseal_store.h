/*
 * MySeal: where a node keeps what must survive a reset, in EEPROM, laid out for power cuts and
 * wear.
 *
 * Two rings of records, from the base address (MYSEAL_EEPROM_BASE, by default the first byte after
 * the 256 that MySensors' saveState() hands to sketches):
 *
 *   base +   0   cold ring: 2 slots of 26 bytes   fingerprint (4), key (16), PIN (4)
 *   base +  52   hot ring: 23 slots of 13 bytes   last received (4), send reserved (4),
 *                                                 attempts, lockout level, flags
 *   base + 351   end
 *
 * A record is   seq | payload | ~seq   and is written in that order, one byte at a time. A power
 * cut in the middle leaves the slot's last byte from the record it is replacing (or torn), which
 * no longer complements the first: the slot reads as invalid, and the newest complete record
 * (in the other cold slot, or the previous hot slot) is used. Erased EEPROM (all FF) is invalid
 * too. The newest record is the valid one with the highest sequence number; 8-bit sequence
 * numbers compare with serial arithmetic, which is exact because every valid record of a ring
 * is one of its last 23 writes.
 *
 * Wear: each write of hot state goes to the next slot of its ring, so a cell of the hot ring is
 * written once per 23 records. The cold ring changes only on key rotation and set-PIN.
 */
#ifndef MYSEAL_STORE_H
#define MYSEAL_STORE_H

#include <stdint.h>

#define MYSEAL_COLD_SLOTS 2
#define MYSEAL_COLD_PAYLOAD 24
#define MYSEAL_HOT_SLOTS 23
#define MYSEAL_HOT_PAYLOAD 11
#define MYSEAL_HOT_AT (MYSEAL_COLD_SLOTS * (MYSEAL_COLD_PAYLOAD + 2))
#define MYSEAL_EEPROM_BYTES (MYSEAL_HOT_AT + MYSEAL_HOT_SLOTS * (MYSEAL_HOT_PAYLOAD + 2))

#define MYSEAL_NO_SLOT 0xFF

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Loads the newest valid record of the ring at `at` (slots of size + 2 bytes) into dst.
 * Returns its slot, MYSEAL_NO_SLOT when none is valid; *seq = its sequence number.
 */
uint8_t myseal_ring_load(uint16_t at, uint8_t slots, uint8_t size, void *dst, uint8_t *seq);

/* Writes seq | src[0..size) | ~seq into slot `slot` of the ring at `at`, first byte first. */
void myseal_ring_write(uint16_t at, uint8_t slot, uint8_t size, uint8_t seq, const void *src);

#ifdef __cplusplus
}
#endif

#endif /* MYSEAL_STORE_H */
