/*
 * MySeal: the store, what a node keeps across a reset, in its EEPROM area (myseal_storage.h),
 * laid out for power cuts and wear:
 *
 *   at   0   cold slots: 2 of 24 bytes          fingerprint (4), key (16), PIN (4)
 *   at  48   hot ring: 23 slots of 13 bytes     seq | last received (4), send reserved (4),
 *                                               attempts, lockout level, flags | ~seq
 *   at 347   end
 *
 * A hot record is written as one block, seq | payload | ~seq. A power cut in the middle leaves a
 * prefix or a suffix of it written (myseal_storage.h), so the slot's first and last bytes come
 * from different records (or one is torn) and no longer complement each other: the slot reads as
 * invalid, and the newest complete record (the previous one) counts. Erased EEPROM (all FF) is
 * invalid too. The newest record is the valid one with the highest sequence number; 8-bit
 * sequence numbers compare with serial arithmetic, exact because every valid record of the ring
 * is one of its last 23 writes. The first record after a blank EEPROM is 1, so seq 0 (which an
 * erased ~seq cell would complement) comes only once every slot has been written.
 *
 * Key and PIN change rarely (rotation, set-PIN, a new flashed key): the new cold record goes to the
 * slot not in use, and only then does a hot record name it (a flag bit). A cut before that hot
 * record is complete leaves the previous one, which names the old slot: the old key and PIN.
 *
 * Wear: each hot record goes to the next slot of the ring and touches each of its cells at most
 * once, so a cell of the hot ring is written once per 23 records at most.
 *
 * The store keeps the records' bytes in RAM as the EEPROM holds them; the other jobs read and
 * change their own fields of the hot payload through the accessors below (the receive order the
 * last counter it accepted, the outgoing frames their reservation, the lock its attempts, level
 * and flags), say so with myseal_store_changed(), and have it written with myseal_store_commit()
 * before they act.
 */
#ifndef MYSEAL_STORE_H
#define MYSEAL_STORE_H

#include <stdint.h>
#ifndef __cplusplus
#include <stdbool.h>
#endif

#define MYSEAL_COLD_PAYLOAD 24
#define MYSEAL_HOT_SLOTS 23
#define MYSEAL_HOT_PAYLOAD 11
#define MYSEAL_HOT_AT (2 * MYSEAL_COLD_PAYLOAD)
#define MYSEAL_EEPROM_BYTES (MYSEAL_HOT_AT + MYSEAL_HOT_SLOTS * (MYSEAL_HOT_PAYLOAD + 2))

/* The hot payload: offsets of its fields. */
#define MYSEAL_HOT_LAST_RECEIVED 0  // highest controller counter accepted, BE (0: none yet)
#define MYSEAL_HOT_SEND_RESERVED 4  // node counters up to here may be used without a write, BE
#define MYSEAL_HOT_ATTEMPTS 8       // wrong PINs still allowed before a lockout
#define MYSEAL_HOT_LEVEL 9          // lockouts since the last correct PIN (each doubles the next)
#define MYSEAL_HOT_FLAGS 10

/* Flags (hot payload). */
#define MYSEAL_FLAG_LOCKED 0x01
#define MYSEAL_FLAG_IN_LOCKOUT 0x02
#define MYSEAL_FLAG_COLD_SLOT 0x04  // which cold slot holds key and PIN: the store's own bit

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Loads the newest hot record and the key and PIN it names. true when there is one and it was
 * made for the key whose fingerprint is given; false on a blank EEPROM or after a new key was
 * flashed: then the payload is zero (counters from 0) and nothing is written yet, see
 * myseal_store_provision().
 */
bool myseal_store_load(const uint8_t fingerprint[4]);

/* A fresh node in RAM: this fingerprint, key and PIN; myseal_store_cold() makes it durable. */
void myseal_store_provision(const uint8_t fingerprint[4], const uint8_t key[16], uint32_t pin_bcd);

/* The node's key (16 bytes) and PIN (4, packed BCD), as held now. */
uint8_t *myseal_store_key(void);
uint8_t *myseal_store_pin(void);

/* The hot payload (MYSEAL_HOT_PAYLOAD bytes, the fields above). */
uint8_t *myseal_store_hot(void);

/* The hot payload changed: myseal_store_commit() writes it. */
void myseal_store_changed(void);

/* Writes a hot record if the payload changed since the last one; _write(): now, changed or not. */
void myseal_store_commit(void);
void myseal_store_write(void);

/* Key or PIN changed: a cold record to the slot not in use, then a hot record naming it. */
void myseal_store_cold(void);

/* Sequence number of the newest hot record (counts the records written, modulo 256). */
uint8_t myseal_store_sequence(void);

#ifdef __cplusplus
}
#endif

#endif /* MYSEAL_STORE_H */
