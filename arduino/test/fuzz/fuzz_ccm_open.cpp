/*
 * libFuzzer target for MySeal's CCM open (host build, clang++ -fsanitize=fuzzer,address,undefined).
 *
 * Input: key (16) | nonce (13) | tag (8) | n (1) | associated data (n % 17 bytes) | ciphertext
 * (the rest, at most 255 bytes). Every buffer is its own heap block of the exact size, so
 * AddressSanitizer sees any read or write past a length.
 *
 * Checked on every input (a failed check aborts, which libFuzzer reports as a crash):
 *   - opening an arbitrary frame either fails with the output all zero, or succeeds and sealing
 *     the output again gives back the same ciphertext and tag;
 *   - sealing the ciphertext bytes as a plaintext and opening the result gives them back, in
 *     place as well as out of place; with one bit of the tag flipped it does not open.
 *
 * Later phases will point this at the frame handling.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "myseal_ccm.h"

static uint8_t *copy(const uint8_t *p, size_t n)
{
	uint8_t *q = (uint8_t *)malloc(n == 0 ? 1 : n);
	if (q == NULL) {
		abort();
	}
	if (n != 0) {
		memcpy(q, p, n);
	}
	return q;
}

static void check(bool condition)
{
	if (!condition) {
		abort();
	}
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const size_t fixed = 16 + 13 + 8 + 1;
	if (size < fixed) {
		return 0;
	}
	uint8_t *key = copy(data, 16);
	uint8_t *nonce = copy(data + 16, 13);
	uint8_t *tag = copy(data + 29, 8);
	size_t aad_len = data[37] % 17u;
	size_t rest = size - fixed;
	if (aad_len > rest) {
		aad_len = rest;
	}
	uint8_t *aad = copy(data + fixed, aad_len);
	size_t len = rest - aad_len;
	if (len > MYSEAL_CCM_MAX_BYTES) {
		len = MYSEAL_CCM_MAX_BYTES;
	}
	uint8_t *ct = copy(data + fixed + aad_len, len);
	uint8_t *pt = copy(ct, len);  // dirty on purpose: a failed open must zero it
	uint8_t *again = copy(ct, len);
	uint8_t *again_tag = copy(tag, 8);
	uint8_t n = (uint8_t)len, a = (uint8_t)aad_len;

	// 1. Whatever comes in: a clean failure, or a frame that seals back to itself.
	bool ok = myseal_ccm_open_aad(key, nonce, aad, a, ct, n, tag, pt);
	if (ok) {
		myseal_ccm_seal_aad(key, nonce, aad, a, pt, n, again, again_tag);
		check(memcmp(again, ct, len) == 0 && memcmp(again_tag, tag, 8) == 0);
	} else {
		for (size_t i = 0; i < len; i++) {
			check(pt[i] == 0);
		}
	}
	if (a == 0) {  // the entry points nodes use must agree with the general ones
		uint8_t *pt2 = copy(ct, len);
		check(myseal_ccm_open(key, nonce, ct, n, tag, pt2) == ok);
		check(len == 0 || memcmp(pt2, pt, len) == 0);
		free(pt2);
	}

	// 2. Round trip with the ciphertext bytes as a plaintext.
	myseal_ccm_seal_aad(key, nonce, aad, a, ct, n, again, again_tag);
	check(myseal_ccm_open_aad(key, nonce, aad, a, again, n, again_tag, pt));
	check(len == 0 || memcmp(pt, ct, len) == 0);
	myseal_ccm_seal_aad(key, nonce, aad, a, pt, n, pt, tag);  // in place
	check(len == 0 || memcmp(pt, again, len) == 0);
	check(memcmp(tag, again_tag, 8) == 0);
	check(myseal_ccm_open_aad(key, nonce, aad, a, pt, n, tag, pt));
	check(len == 0 || memcmp(pt, ct, len) == 0);
	again_tag[data[0] % 8] ^= (uint8_t)(1u << (data[1] % 8));
	check(!myseal_ccm_open_aad(key, nonce, aad, a, again, n, again_tag, pt));

	free(key);
	free(nonce);
	free(tag);
	free(aad);
	free(ct);
	free(pt);
	free(again);
	free(again_tag);
	return 0;
}
