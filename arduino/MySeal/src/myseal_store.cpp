/*
 * MySeal: the store. See myseal_store.h for the layout and why it survives power cuts.
 */
#include "myseal_store.h"

#include <string.h>

#include "myseal_frame.h"
#include "myseal_storage.h"

#define HOT_BYTES (MYSEAL_HOT_PAYLOAD + 2)
#define HOT_FLAGS (1 + MYSEAL_HOT_FLAGS)  // in hot[], after seq
#define NO_SLOT 0xff

static uint8_t hot[HOT_BYTES];             // seq | payload | ~seq, as a ring slot holds it
static uint8_t cold[MYSEAL_COLD_PAYLOAD];  // fingerprint | key | PIN, as a cold slot holds it
static uint8_t newest;                     // ring slot of the newest record (NO_SLOT: none)
static uint8_t dirty;                      // the payload differs from the newest record

static uint16_t hot_at(uint8_t slot)
{
	return (uint16_t)(MYSEAL_HOT_AT + slot * HOT_BYTES);
}

static uint16_t cold_at(void)
{
	return (hot[HOT_FLAGS] & MYSEAL_FLAG_COLD_SLOT) ? MYSEAL_COLD_PAYLOAD : 0;
}

/* The payload as a new record, in the ring's next slot. */
void myseal_store_write(void)
{
	uint8_t slot = (uint8_t)(newest + 1);  // NO_SLOT + 1 is slot 0
	if (slot == MYSEAL_HOT_SLOTS) {
		slot = 0;
	}
	newest = slot;
	hot[HOT_BYTES - 1] = (uint8_t)~++hot[0];
	myseal_storage_write(hot_at(slot), hot, HOT_BYTES);
	dirty = 0;
}

bool myseal_store_load(const uint8_t fingerprint[4])
{
	uint8_t best = NO_SLOT, best_seq = 0;
	for (uint8_t slot = 0; slot < MYSEAL_HOT_SLOTS; slot++) {
		myseal_storage_read(hot_at(slot), hot, HOT_BYTES);
		const uint8_t seq = hot[0];
		if ((uint8_t)(seq ^ hot[HOT_BYTES - 1]) == 0xff &&
		    (best == NO_SLOT || (int8_t)(seq - best_seq) > 0)) {
			best = slot;
			best_seq = seq;
		}
	}
	newest = best;
	dirty = 0;
	if (best == NO_SLOT) {
		memset(hot, 0, sizeof hot);  // seq 0: the first record is 1
		return false;
	}
	myseal_storage_read(hot_at(best), hot, HOT_BYTES);
	myseal_storage_read(cold_at(), cold, MYSEAL_COLD_PAYLOAD);
	return memcmp(cold, fingerprint, 4) == 0;
}

void myseal_store_provision(const uint8_t fingerprint[4], const uint8_t key[16], uint32_t pin_bcd)
{
	memset(hot + 1, 0, MYSEAL_HOT_FLAGS);  // counters from 0, attempts and level 0
	hot[HOT_FLAGS] &= MYSEAL_FLAG_COLD_SLOT;
	memcpy(cold, fingerprint, 4);
	memcpy(cold + 4, key, 16);
	myseal_put_be32(cold + 20, pin_bcd);
}

uint8_t *myseal_store_key(void)
{
	return cold + 4;
}

uint8_t *myseal_store_pin(void)
{
	return cold + 20;
}

uint8_t *myseal_store_hot(void)
{
	return hot + 1;
}

void myseal_store_changed(void)
{
	dirty = 1;
}

void myseal_store_commit(void)
{
	if (dirty) {
		myseal_store_write();
	}
}

void myseal_store_cold(void)
{
	hot[HOT_FLAGS] ^= MYSEAL_FLAG_COLD_SLOT;
	myseal_storage_write(cold_at(), cold, MYSEAL_COLD_PAYLOAD);
	myseal_store_write();  // names the new slot: from now on its key and PIN count
}

uint8_t myseal_store_sequence(void)
{
	return hot[0];
}
