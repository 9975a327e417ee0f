/*
 * MySeal benchmark firmware (bench/avr.ts): runs each primitive once between myseal-sim section
 * marks, on RAM buffers as a node would, and checks the answers so a broken build cannot post
 * numbers. Sections:
 *   1 AES-128, one block          2 CCM open, 12-byte frame (good tag)
 *   3 CCM seal, 12-byte frame     4 CCM open, same frame with a wrong tag
 *   5 constant-time compare, 8 bytes                127 empty (calibration: reads 0)
 * Prints "bench ok" or "bench FAIL"; exit status 0 or 1.
 */
#include <string.h>

#include "../vectors/myseal_kat.h"
#include "avr_io.h"
#include "myseal_aes128.h"
#include "myseal_ccm.h"
#include "myseal_ct.h"

static uint8_t nibble(char c)
{
	return (uint8_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
}

static uint8_t unhex(const char *hex, uint8_t *out)
{
	uint8_t n = 0;
	for (; hex[0] != '\0'; hex += 2) {
		out[n++] = (uint8_t)((nibble(hex[0]) << 4) | nibble(hex[1]));
	}
	return n;
}

int main(void)
{
	avrio_init();
	struct myseal_ccm_kat k;
	memcpy_P(&k, &myseal_frame_kats[12], sizeof k);  // the 12-byte frame
	uint8_t key[16], nonce[13], pt[12], ct[12], tag[8], out[12], out_tag[8], block[16];
	unhex(k.key, key);
	unhex(k.nonce, nonce);
	uint8_t len = unhex(k.pt, pt);
	unhex(k.ct, ct);
	unhex(k.tag, tag);
	memcpy(block, pt, sizeof pt);
	memcpy(block + 12, tag, 4);
	bool fine = len == 12;

	AVRIO_SECTION_BEGIN(127);
	AVRIO_SECTION_END(127);

	AVRIO_SECTION_BEGIN(1);
	myseal_aes128_encrypt(key, block);
	AVRIO_SECTION_END(1);

	AVRIO_SECTION_BEGIN(2);
	bool opened = myseal_ccm_open(key, nonce, ct, 12, tag, out);
	AVRIO_SECTION_END(2);
	fine &= opened && memcmp(out, pt, 12) == 0;

	AVRIO_SECTION_BEGIN(3);
	myseal_ccm_seal(key, nonce, pt, 12, out, out_tag);
	AVRIO_SECTION_END(3);
	fine &= memcmp(out, ct, 12) == 0 && memcmp(out_tag, tag, 8) == 0;

	tag[7] ^= 0x01;
	AVRIO_SECTION_BEGIN(4);
	bool forged = myseal_ccm_open(key, nonce, ct, 12, tag, out);
	AVRIO_SECTION_END(4);
	fine &= !forged;

	AVRIO_SECTION_BEGIN(5);
	bool same = myseal_ct_equal(out_tag, tag, 8);
	AVRIO_SECTION_END(5);
	fine &= !same;

	avrio_puts_P(fine ? PSTR("bench ok\n") : PSTR("bench FAIL\n"));
	avrio_exit(fine ? 0 : 1);
}
