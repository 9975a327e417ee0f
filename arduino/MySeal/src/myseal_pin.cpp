/*
 * MySeal: the PIN layout check. See myseal_pin.h.
 */
#include "myseal_pin.h"

bool myseal_pin_well_formed(const uint8_t p[4])
{
	// All 8 nibbles are looked at whatever they hold: how long this takes says nothing about
	// where a layout error is (or how many digits a PIN has).
	uint8_t digits = 0, padded = 0, bad = 0;
	for (uint8_t i = 0; i < 8; i++) {
		uint8_t nibble = p[i >> 1];
		nibble = (i & 1) ? (uint8_t)(nibble & 0x0f) : (uint8_t)(nibble >> 4);
		if (nibble == 0x0f) {
			padded = 1;
		} else {
			bad |= (uint8_t)(padded | (nibble > 9));  // a digit after padding, or A-E
			digits++;
		}
	}
	return !bad && digits >= 4;
}
