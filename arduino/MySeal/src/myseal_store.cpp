/*
 * MySeal: the EEPROM rings (see myseal_store.h) and the two records the node keeps in them.
 *
 * Bytes are written one at a time with eeprom_update_byte(), in address order: the order is what
 * makes a torn record detectable (avr-libc's block functions do not promise one), and an unchanged
 * cell is not written at all (no wear, no time).
 */
#include "myseal_store.h"

#include <avr/eeprom.h>

#include "myseal_state.h"

static uint8_t ee_read(uint16_t at)
{
	return eeprom_read_byte((const uint8_t *)(uintptr_t)at);
}

uint8_t myseal_ring_load(uint16_t at, uint8_t slots, uint8_t size, void *dst, uint8_t *seq)
{
	uint8_t best = MYSEAL_NO_SLOT, best_seq = 0;
	for (uint8_t slot = 0; slot < slots; slot++, at = (uint16_t)(at + size + 2)) {
		const uint8_t head = ee_read(at);
		if ((uint8_t)(head ^ ee_read((uint16_t)(at + size + 1))) != 0xff) {
			continue;  // torn, erased or never written
		}
		if (best == MYSEAL_NO_SLOT || (int8_t)(head - best_seq) > 0) {
			best = slot;
			best_seq = head;
			eeprom_read_block(dst, (const void *)(uintptr_t)(at + 1), size);
		}
	}
	*seq = best_seq;
	return best;
}

void myseal_ring_write(uint16_t at, uint8_t slot, uint8_t size, uint8_t seq, const void *src)
{
	at = (uint16_t)(at + slot * (uint8_t)(size + 2));
	const uint8_t *p = (const uint8_t *)src;
	eeprom_update_byte((uint8_t *)(uintptr_t)at, seq);
	for (uint8_t i = 0; i < size; i++) {
		eeprom_update_byte((uint8_t *)(uintptr_t)++at, p[i]);
	}
	// Last: until this byte is in, the slot is invalid and the previous record stands.
	eeprom_update_byte((uint8_t *)(uintptr_t)++at, (uint8_t)~seq);
}

void myseal_store_hot(void)
{
	struct myseal_state *s = myseal_base();
	if (++s->hot_slot >= MYSEAL_HOT_SLOTS) {
		s->hot_slot = 0;  // also the first write after MYSEAL_NO_SLOT
	}
	myseal_ring_write((uint16_t)(myseal_settings.eeprom_base + MYSEAL_HOT_AT), s->hot_slot,
	                  MYSEAL_HOT_PAYLOAD, ++s->hot_seq, s->last_received);
	s->dirty = 0;
}

void myseal_store_cold(void)
{
	struct myseal_state *s = myseal_base();
	s->cold_slot = (uint8_t)((s->cold_slot + 1) & 1);
	myseal_ring_write(myseal_settings.eeprom_base, s->cold_slot, MYSEAL_COLD_PAYLOAD, ++s->cold_seq,
	                  s->fingerprint);
}

void myseal_commit(void)
{
	if (myseal.dirty) {
		myseal_store_hot();
	}
}
