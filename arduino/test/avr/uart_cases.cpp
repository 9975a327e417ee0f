/*
 * MySeal firmware that takes its test cases over UART0: a TypeScript test pipes in frames made
 * by Node's AES-128-CCM, one per line, and this checks each one on the (simulated) chip:
 *
 *   in:  "<key> <nonce> <aad> <pt> <ct> <tag>\n" in hex ("-" for empty), then "END\n"
 *   out: "READY\n" first; "bad <n>\n" for each failing case; "uart-cases <count> ok <passed>\n"
 *
 * For each case: sealing gives ct and tag, opening gives pt back (in place too), and the same
 * frame with one tag bit flipped does not open. Without associated data the node entry points
 * are used, with it the _aad ones. Payloads up to 255 bytes, associated data up to 64.
 */
#include <string.h>

#include "avr_io.h"
#include "myseal_ccm.h"

static uint8_t nibble(char c)
{
	return (uint8_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
}

/* Reads one space- or newline-terminated hex field into out; returns its length in bytes. */
static uint8_t read_field(uint8_t *out, uint8_t max, char *first)
{
	uint8_t n = 0;
	char c = *first != 0 ? *first : (char)avrio_getc();
	*first = 0;
	if (c == '-') {
		(void)avrio_getc();  // the separator
		return 0;
	}
	for (;;) {
		if (c == ' ' || c == '\n') {
			return n;
		}
		char low = (char)avrio_getc();
		if (n < max) {
			out[n] = (uint8_t)((nibble(c) << 4) | nibble(low));
		}
		n++;
		c = (char)avrio_getc();
	}
}

int main(void)
{
	avrio_init();
	avrio_puts_P(PSTR("READY\n"));
	uint32_t count = 0, passed = 0;
	for (;;) {
		char first = (char)avrio_getc();
		if (first == 'E') {  // "END"
			break;
		}
		static uint8_t pt[255], ct[255], out[255], aad[64];
		uint8_t key[16], nonce[13], tag[8], out_tag[8];
		bool fine = read_field(key, 16, &first) == 16;
		fine &= read_field(nonce, 13, &first) == 13;
		uint8_t aad_len = read_field(aad, sizeof aad, &first);
		uint8_t len = read_field(pt, sizeof pt, &first);
		fine &= read_field(ct, sizeof ct, &first) == len;
		fine &= read_field(tag, 8, &first) == 8;
		count++;

		if (aad_len == 0) {
			myseal_ccm_seal(key, nonce, pt, len, out, out_tag);
		} else {
			myseal_ccm_seal_aad(key, nonce, aad, aad_len, pt, len, out, out_tag);
		}
		fine &= memcmp(out, ct, len) == 0 && memcmp(out_tag, tag, 8) == 0;
		memcpy(out, ct, len);  // in place
		if (aad_len == 0) {
			fine &= myseal_ccm_open(key, nonce, out, len, tag, out);
		} else {
			fine &= myseal_ccm_open_aad(key, nonce, aad, aad_len, out, len, tag, out);
		}
		fine &= memcmp(out, pt, len) == 0;
		tag[count % 8] ^= (uint8_t)(1u << (count % 7));
		if (aad_len == 0) {
			fine &= !myseal_ccm_open(key, nonce, ct, len, tag, out);
		} else {
			fine &= !myseal_ccm_open_aad(key, nonce, aad, aad_len, ct, len, tag, out);
		}
		if (fine) {
			passed++;
		} else {
			avrio_puts_P(PSTR("bad "));
			avrio_put_u32(count);
			avrio_putc('\n');
		}
	}
	avrio_puts_P(PSTR("uart-cases "));
	avrio_put_u32(count);
	avrio_puts_P(PSTR(" ok "));
	avrio_put_u32(passed);
	avrio_putc('\n');
	avrio_exit(count == passed ? 0 : 1);
}
