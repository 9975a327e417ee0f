/*
 * MySeal's portable self-test. See selftest.h.
 */
#include "selftest.h"

#include <string.h>

#include "../vectors/myseal_kat.h"
#include "myseal_aes128.h"
#include "myseal_ccm.h"
#include "myseal_ct.h"

#if defined(__AVR__)
#define KAT_COPY(dst, src) memcpy_P((dst), (src), sizeof *(dst))
#else
#define KAT_COPY(dst, src) memcpy((dst), (src), sizeof *(dst))
#endif

/* One decoded CCM vector. */
struct ccm_case {
	uint8_t key[16];
	uint8_t nonce[13];
	uint8_t aad[12];
	uint8_t aad_len;
	uint8_t pt[25];
	uint8_t len;
	uint8_t ct[25];
	uint8_t tag[8];
};

static uint8_t nibble(char c)
{
	return (uint8_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
}

uint8_t selftest_unhex(const char *hex, uint8_t *out)
{
	uint8_t n = 0;
	while (hex[0] != '\0' && hex[1] != '\0') {
		out[n++] = (uint8_t)((nibble(hex[0]) << 4) | nibble(hex[1]));
		hex += 2;
	}
	return n;
}

static void load_ccm(const struct myseal_ccm_kat *flash_entry, struct ccm_case *c)
{
	struct myseal_ccm_kat k;
	KAT_COPY(&k, flash_entry);
	selftest_unhex(k.key, c->key);
	selftest_unhex(k.nonce, c->nonce);
	c->aad_len = selftest_unhex(k.aad, c->aad);
	c->len = selftest_unhex(k.pt, c->pt);
	selftest_unhex(k.ct, c->ct);
	selftest_unhex(k.tag, c->tag);
}

void selftest_group_end(struct selftest_totals *totals, const char *group, uint32_t checks,
                        uint32_t failures)
{
	totals->checks += checks;
	totals->failures += failures;
	if (failures == 0) {
		selftest_emit(ST_TEXT("ok "));
		selftest_emit(group);
		selftest_emit(ST_TEXT(" "));
		selftest_emit_u32(checks);
	} else {
		selftest_emit(ST_TEXT("FAIL "));
		selftest_emit(group);
		selftest_emit(ST_TEXT(" "));
		selftest_emit_u32(failures);
		selftest_emit(ST_TEXT(" of "));
		selftest_emit_u32(checks);
	}
	selftest_emit(ST_TEXT("\n"));
}

static void report_mismatch(const char *what, uint8_t index, const uint8_t *got, uint8_t n)
{
	selftest_emit(ST_TEXT("mismatch "));
	selftest_emit(what);
	selftest_emit(ST_TEXT(" #"));
	selftest_emit_u32(index);
	selftest_emit(ST_TEXT(" got "));
	selftest_emit_hex(got, n);
	selftest_emit(ST_TEXT("\n"));
}

static void group_fips197(struct selftest_totals *totals)
{
	uint32_t checks = 0, failures = 0;
	for (uint8_t i = 0; i < MYSEAL_FIPS197_KAT_COUNT; i++) {
		struct myseal_aes_kat k;
		KAT_COPY(&k, &myseal_fips197_kats[i]);
		uint8_t key[16], block[16], expect[16];
		selftest_unhex(k.key, key);
		selftest_unhex(k.pt, block);
		selftest_unhex(k.ct, expect);
		myseal_aes128_encrypt(key, block);
		checks++;
		if (memcmp(block, expect, 16) != 0) {
			failures++;
			report_mismatch(ST_TEXT("fips197"), i, block, 16);
		}
	}
	selftest_group_end(totals, ST_TEXT("fips197-encrypt"), checks, failures);

	// Appendix A.1: each step of the key schedule gives the next round key.
	checks = failures = 0;
	uint8_t round_key[16], expect[16];
	char hex[33];
	KAT_COPY(&hex, &myseal_fips197_a1_round_keys[0]);
	selftest_unhex(hex, round_key);
	uint8_t rcon = 0x01;
	for (uint8_t i = 1; i <= 10; i++) {
		myseal_aes128_key_step(round_key, rcon);
		rcon = (uint8_t)((rcon << 1) ^ ((rcon & 0x80) ? 0x1b : 0));
		KAT_COPY(&hex, &myseal_fips197_a1_round_keys[i]);
		selftest_unhex(hex, expect);
		checks++;
		if (memcmp(round_key, expect, 16) != 0) {
			failures++;
			report_mismatch(ST_TEXT("round key"), i, round_key, 16);
		}
	}
	selftest_group_end(totals, ST_TEXT("fips197-key-expansion"), checks, failures);
}

/* Seals and opens one vector, out of place and in place. Returns the number of failures of 4. */
static uint8_t check_ccm_case(const struct ccm_case *c, uint8_t index)
{
	uint8_t failures = 0;
	uint8_t out[25], tag[8], back[25];

	myseal_ccm_seal_aad(c->key, c->nonce, c->aad, c->aad_len, c->pt, c->len, out, tag);
	if (memcmp(out, c->ct, c->len) != 0 || memcmp(tag, c->tag, 8) != 0) {
		failures++;
		report_mismatch(ST_TEXT("seal"), index, out, c->len);
		report_mismatch(ST_TEXT("tag"), index, tag, 8);
	}
	bool ok = myseal_ccm_open_aad(c->key, c->nonce, c->aad, c->aad_len, c->ct, c->len, c->tag, back);
	if (!ok || memcmp(back, c->pt, c->len) != 0) {
		failures++;
		report_mismatch(ST_TEXT("open"), index, back, c->len);
	}
	// In place: the buffer holds the plaintext, then the ciphertext, then the plaintext again.
	memcpy(back, c->pt, c->len);
	myseal_ccm_seal_aad(c->key, c->nonce, c->aad, c->aad_len, back, c->len, back, tag);
	if (memcmp(back, c->ct, c->len) != 0 || memcmp(tag, c->tag, 8) != 0) {
		failures++;
		report_mismatch(ST_TEXT("seal in place"), index, back, c->len);
	}
	ok = myseal_ccm_open_aad(c->key, c->nonce, c->aad, c->aad_len, back, c->len, tag, back);
	if (!ok || memcmp(back, c->pt, c->len) != 0) {
		failures++;
		report_mismatch(ST_TEXT("open in place"), index, back, c->len);
	}
	return failures;
}

/* Without associated data the plain entry points must give the same answers. */
static uint8_t check_frame_case(const struct ccm_case *c, uint8_t index)
{
	uint8_t failures = 0;
	uint8_t out[25], tag[8];
	myseal_ccm_seal(c->key, c->nonce, c->pt, c->len, out, tag);
	if (memcmp(out, c->ct, c->len) != 0 || memcmp(tag, c->tag, 8) != 0) {
		failures++;
		report_mismatch(ST_TEXT("frame seal"), index, tag, 8);
	}
	bool ok = myseal_ccm_open(c->key, c->nonce, c->ct, c->len, c->tag, out);
	if (!ok || memcmp(out, c->pt, c->len) != 0) {
		failures++;
		report_mismatch(ST_TEXT("frame open"), index, out, c->len);
	}
	return failures;
}

static bool all_zero(const uint8_t *p, uint8_t n)
{
	uint8_t acc = 0;
	while (n-- != 0) {
		acc = (uint8_t)(acc | *p++);
	}
	return acc == 0;
}

/*
 * Every single-bit change of ciphertext or tag (and, when flip_nonce, of the nonce) must be
 * rejected, and the output must come back all zero. Returns failures; adds to *checks.
 */
static uint32_t tamper_case(struct ccm_case *c, bool flip_nonce, uint32_t *checks)
{
	uint32_t failures = 0;
	uint8_t out[25];
	uint8_t *fields[3] = { c->ct, c->tag, c->nonce };
	uint8_t sizes[3] = { c->len, 8, 13 };
	uint8_t field_count = flip_nonce ? 3 : 2;
	for (uint8_t f = 0; f < field_count; f++) {
		for (uint8_t byte = 0; byte < sizes[f]; byte++) {
			for (uint8_t bit = 0; bit < 8; bit++) {
				fields[f][byte] = (uint8_t)(fields[f][byte] ^ (1u << bit));
				memset(out, 0x5a, sizeof out);
				bool ok = myseal_ccm_open_aad(c->key, c->nonce, c->aad, c->aad_len, c->ct, c->len,
				                              c->tag, out);
				fields[f][byte] = (uint8_t)(fields[f][byte] ^ (1u << bit));
				(*checks)++;
				if (ok || !all_zero(out, c->len)) {
					failures++;
					if (failures <= 3) {
						selftest_emit(ST_TEXT("tamper accepted: field "));
						selftest_emit_u32(f);
						selftest_emit(ST_TEXT(" byte "));
						selftest_emit_u32(byte);
						selftest_emit(ST_TEXT(" bit "));
						selftest_emit_u32(bit);
						selftest_emit(ST_TEXT("\n"));
					}
				}
			}
		}
	}
	return failures;
}

static void group_ccm(struct selftest_totals *totals)
{
	struct ccm_case c;
	uint32_t checks = 0, failures = 0;
	for (uint8_t i = 0; i < MYSEAL_RFC3610_KAT_COUNT; i++) {
		load_ccm(&myseal_rfc3610_kats[i], &c);
		failures += check_ccm_case(&c, i);
		checks += 4;
	}
	selftest_group_end(totals, ST_TEXT("rfc3610-m8"), checks, failures);

	checks = failures = 0;
	for (uint8_t i = 0; i < MYSEAL_FRAME_KAT_COUNT; i++) {
		load_ccm(&myseal_frame_kats[i], &c);
		failures += check_ccm_case(&c, i);
		failures += check_frame_case(&c, i);
		checks += 6;
	}
	selftest_group_end(totals, ST_TEXT("frames-no-aad"), checks, failures);

	checks = failures = 0;
	for (uint8_t i = 0; i < MYSEAL_RFC3610_KAT_COUNT; i++) {
		load_ccm(&myseal_rfc3610_kats[i], &c);
		failures += tamper_case(&c, false, &checks);
	}
	for (uint8_t i = 0; i < MYSEAL_FRAME_KAT_COUNT; i++) {
		load_ccm(&myseal_frame_kats[i], &c);
		failures += tamper_case(&c, true, &checks);
	}
	selftest_group_end(totals, ST_TEXT("tamper-bit-flips"), checks, failures);
}

static void group_ct(struct selftest_totals *totals)
{
	uint32_t checks = 0, failures = 0;
	uint8_t a[16], b[16];
	for (uint8_t i = 0; i < 16; i++) {
		a[i] = b[i] = (uint8_t)(0xa5 ^ (i * 29));
	}
	for (uint8_t len = 0; len <= 16; len++) {
		checks++;
		if (!myseal_ct_equal(a, b, len)) {
			failures++;
		}
		for (uint8_t pos = 0; pos < len; pos++) {
			for (uint8_t bit = 0; bit < 8; bit++) {
				b[pos] = (uint8_t)(b[pos] ^ (1u << bit));
				checks++;
				if (myseal_ct_equal(a, b, len)) {
					failures++;
				}
				b[pos] = (uint8_t)(b[pos] ^ (1u << bit));
			}
		}
	}
	myseal_wipe(a, sizeof a);
	checks++;
	if (!all_zero(a, sizeof a)) {
		failures++;
	}
	selftest_group_end(totals, ST_TEXT("ct-equal"), checks, failures);
}

void selftest_run(struct selftest_totals *totals)
{
	group_fips197(totals);
	group_ccm(totals);
	group_ct(totals);
}

void selftest_summary(const struct selftest_totals *totals)
{
	if (totals->failures == 0) {
		selftest_emit(ST_TEXT("RESULT PASS "));
		selftest_emit_u32(totals->checks);
	} else {
		selftest_emit(ST_TEXT("RESULT FAIL "));
		selftest_emit_u32(totals->failures);
		selftest_emit(ST_TEXT(" of "));
		selftest_emit_u32(totals->checks);
	}
	selftest_emit(ST_TEXT("\n"));
}
