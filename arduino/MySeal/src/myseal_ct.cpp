/*
 * MySeal: constant-time comparison and wiping. See myseal_ct.h.
 */
#include "myseal_ct.h"

bool myseal_ct_equal(const uint8_t *a, const uint8_t *b, uint8_t len)
{
	uint8_t diff = 0;
	while (len != 0) {
		diff = (uint8_t)(diff | (*a++ ^ *b++));
		// Without the barrier an optimiser may stop at the first non-zero diff.
		MYSEAL_OPAQUE(diff);
		--len;
	}
	// diff - 1 borrows into bit 8 only when diff is 0: equal -> 1, different -> 0, no branch.
	uint16_t wide = (uint16_t)((uint16_t)diff - 1u);
	MYSEAL_OPAQUE(wide);
	return (bool)((wide >> 8) & 1u);
}

void myseal_wipe(void *p, uint8_t len)
{
	// Stores through a volatile pointer are observable behaviour: they survive dead-store
	// elimination even though nobody reads the buffer again.
	volatile uint8_t *v = (volatile uint8_t *)p;
	while (len != 0) {
		*v++ = 0;
		--len;
	}
}
