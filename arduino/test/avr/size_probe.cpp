/*
 * MySeal size probe (bench/avr.ts): the smallest program that uses what a node uses, sealing
 * and opening a 12-byte frame and a constant-time compare, built twice: with the calls
 * (MYSEAL_PROBE_WITH=1) and without. The difference in flash (text + data) and static RAM
 * (data + bss) is what MySeal's primitives cost a sketch. Inputs come from an I/O register and
 * results go back to one, so the compiler can neither precompute nor drop anything.
 */
#include <avr/io.h>
#include <stdint.h>

#include "myseal_ccm.h"
#include "myseal_ct.h"

static void take(uint8_t *p, uint8_t n)
{
	while (n-- != 0) {
		*p++ = GPIOR2;
	}
}

static void give(const uint8_t *p, uint8_t n)
{
	while (n-- != 0) {
		GPIOR2 = *p++;
	}
}

int main(void)
{
	uint8_t key[16], nonce[13], frame[12], tag[8], pin[4];
	take(key, sizeof key);
	take(nonce, sizeof nonce);
	take(frame, sizeof frame);
	take(tag, sizeof tag);
	take(pin, sizeof pin);
#if MYSEAL_PROBE_WITH
	myseal_ccm_seal(key, nonce, frame, sizeof frame, frame, tag);
	bool ok = myseal_ccm_open(key, nonce, frame, sizeof frame, tag, frame);
	ok &= myseal_ct_equal(pin, key, sizeof pin);
	GPIOR2 = ok;
#else
	GPIOR2 = (uint8_t)(key[0] ^ nonce[0] ^ pin[0]);
#endif
	give(frame, sizeof frame);
	give(tag, sizeof tag);
	for (;;) {
	}
}
