/*
 * MySeal: where a node keeps what must survive a reset, in EEPROM, laid out for power cuts and
 * wear. From the base address (MYSEAL_EEPROM_BASE, by default the first byte after the 256 that
 * MySensors' saveState() hands to sketches):
 *
 *   base +   0   cold slots: 2 of 24 bytes          fingerprint (4), key (16), PIN (4)
 *   base +  48   hot ring: 23 slots of 13 bytes     seq | last received (4), send reserved (4),
 *                                                   attempts, lockout level, flags | ~seq
 *   base + 347   end
 *
 * Hot records are written seq first, then the payload, then ~seq, one byte at a time. A power cut
 * in the middle leaves the slot's last byte from the record it is replacing (or torn), which no
 * longer complements the first: the slot reads as invalid, and the newest complete record (the
 * previous one) is used. Erased EEPROM (all FF) is invalid too. The newest record is the valid one
 * with the highest sequence number; 8-bit sequence numbers compare with serial arithmetic, exact
 * because every valid record of the ring is one of its last 23 writes.
 *
 * Key and PIN change rarely (rotation, set-PIN, a new flashed key): the new cold record goes to the
 * slot not in use, and only then does a hot record name it (a flag bit). A cut before that hot
 * record is complete leaves the previous one, which names the old slot: the old key and PIN.
 *
 * Wear: each hot record goes to the next slot of the ring and touches each of its cells at most
 * once, so a cell of the hot ring is written once per 23 records at most.
 */
#ifndef MYSEAL_STORE_H
#define MYSEAL_STORE_H

#define MYSEAL_COLD_PAYLOAD 24
#define MYSEAL_HOT_SLOTS 23
#define MYSEAL_HOT_PAYLOAD 11
#define MYSEAL_HOT_AT (2 * MYSEAL_COLD_PAYLOAD)
#define MYSEAL_EEPROM_BYTES (MYSEAL_HOT_AT + MYSEAL_HOT_SLOTS * (MYSEAL_HOT_PAYLOAD + 2))

#define MYSEAL_NO_SLOT 0xFF

#endif /* MYSEAL_STORE_H */
