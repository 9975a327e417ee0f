/*
 * MySeal on-chip test for the ATmega328P under simavr: the portable self-test (known answers,
 * tamper rejection, constant-time compare) plus timing checks only a real AVR core can make:
 * AES, CCM and the comparison must take the same number of cycles whatever the key and data,
 * and a forged frame must take exactly as long to reject as a good one takes to open.
 * Prints over UART0; exits with status 0 when everything passed.
 */
#include <string.h>

#include "../common/selftest.h"
#include "avr_io.h"
#include "myseal_aes128.h"
#include "myseal_ccm.h"
#include "myseal_ct.h"

void selftest_emit(const char *text)
{
	avrio_puts_P(text);
}

void selftest_emit_u32(uint32_t value)
{
	avrio_put_u32(value);
}

void selftest_emit_hex(const uint8_t *bytes, uint8_t n)
{
	avrio_put_hex(bytes, n);
}

/* A tiny deterministic generator for varied keys and data (xorshift, not for secrets). */
static uint32_t rng_state = 0x2545f491UL;

static void fill(uint8_t *p, uint8_t n)
{
	while (n-- != 0) {
		rng_state ^= rng_state << 13;
		rng_state ^= rng_state >> 17;
		rng_state ^= rng_state << 5;
		*p++ = (uint8_t)rng_state;
	}
}

struct timing {
	uint16_t first;
	uint8_t runs;
	uint8_t differing;
};

static void timing_add(struct timing *t, uint16_t cycles)
{
	if (t->runs == 0) {
		t->first = cycles;
	} else if (cycles != t->first) {
		t->differing++;
	}
	t->runs++;
}

static void timing_report(struct selftest_totals *totals, const char *name, const struct timing *t)
{
	selftest_emit(ST_TEXT("cycles "));
	selftest_emit(name);
	selftest_emit(ST_TEXT(" "));
	selftest_emit_u32(t->first);
	selftest_emit(ST_TEXT("\n"));
	selftest_group_end(totals, name, t->runs, t->differing);
}

static void group_timing(struct selftest_totals *totals)
{
	uint8_t key[16], nonce[13], frame[12], tag[8], out[12], a[8], b[8];
	struct timing aes = { 0, 0, 0 }, open_ok = { 0, 0, 0 }, seal = { 0, 0, 0 };
	struct timing ct = { 0, 0, 0 };
	avrio_timer1_start();

	for (uint8_t run = 0; run < 16; run++) {
		fill(key, 16);
		fill(out, 12);
		if (run == 0) {
			memset(key, 0, 16);
		} else if (run == 1) {
			memset(key, 0xff, 16);
		}
		uint8_t block[16];
		fill(block, 16);
		uint16_t t0 = avrio_timer1_now();
		myseal_aes128_encrypt(key, block);
		uint16_t t1 = avrio_timer1_now();
		timing_add(&aes, (uint16_t)(t1 - t0));
	}

	// Opening: good frames, and frames with the tag or the ciphertext changed in one place.
	for (uint8_t run = 0; run < 24; run++) {
		fill(key, 16);
		fill(nonce, 13);
		fill(frame, 12);
		uint16_t t0 = avrio_timer1_now();
		myseal_ccm_seal(key, nonce, frame, 12, frame, tag);
		uint16_t t1 = avrio_timer1_now();
		timing_add(&seal, (uint16_t)(t1 - t0));
		uint8_t where = (uint8_t)(run % 3);
		if (where == 1) {
			tag[run % 8] ^= (uint8_t)(1u << (run % 8));
		} else if (where == 2) {
			frame[run % 12] ^= 0x01;
		}
		t0 = avrio_timer1_now();
		bool ok = myseal_ccm_open(key, nonce, frame, 12, tag, out);
		t1 = avrio_timer1_now();
		timing_add(&open_ok, (uint16_t)(t1 - t0));
		if (ok != (where == 0)) {
			open_ok.differing++;  // a verdict error counts as a failure of this group too
		}
	}

	// The comparison: equal, first byte differs, last byte differs, all differ.
	for (uint8_t run = 0; run < 16; run++) {
		fill(a, 8);
		memcpy(b, a, 8);
		if ((run & 3) == 1) {
			b[0] ^= 0x80;
		} else if ((run & 3) == 2) {
			b[7] ^= 0x01;
		} else if ((run & 3) == 3) {
			for (uint8_t i = 0; i < 8; i++) {
				b[i] = (uint8_t)~a[i];
			}
		}
		uint16_t t0 = avrio_timer1_now();
		bool eq = myseal_ct_equal(a, b, 8);
		uint16_t t1 = avrio_timer1_now();
		timing_add(&ct, (uint16_t)(t1 - t0));
		if (eq != ((run & 3) == 0)) {
			ct.differing++;
		}
	}

	timing_report(totals, ST_TEXT("constant-time-aes"), &aes);
	timing_report(totals, ST_TEXT("constant-time-seal"), &seal);
	timing_report(totals, ST_TEXT("constant-time-open"), &open_ok);
	timing_report(totals, ST_TEXT("constant-time-compare"), &ct);
}

int main(void)
{
	avrio_init();
	avrio_puts_P(PSTR("MySeal on-chip test\n"));
	struct selftest_totals totals = { 0, 0 };
	selftest_run(&totals);
	group_timing(&totals);
	selftest_summary(&totals);
	avrio_exit(totals.failures == 0 ? 0 : 1);
}
