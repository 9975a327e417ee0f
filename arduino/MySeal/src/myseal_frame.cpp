/*
 * MySeal: structural checks, nonce and sealing of one frame. See myseal_frame.h.
 */
#include "myseal_frame.h"

#include <string.h>

#include "myseal_ct.h"

uint8_t myseal_frame_check(const uint8_t *frame, uint8_t len)
{
	if (len < MYSEAL_FRAME_MIN) {
		return FRAME_TOO_SHORT;
	}
	if (len > MYSEAL_FRAME_MAX) {
		return FRAME_TOO_LONG;
	}
	const uint8_t header = frame[0];
	// Version before direction before kind: the order the TypeScript side and the vectors use.
	if ((header & 0x70) != 0x10) {
		return BAD_VERSION;
	}
	if (header & 0x80) {
		return WRONG_DIRECTION;
	}
	if ((header & 0x0f) > MYSEAL_KIND_CRITICAL) {
		return BAD_KIND;
	}
	// Counter 0 is never sent: refused before anything is spent on it.
	if (myseal_counter_zero(frame + MYSEAL_COUNTER_AT)) {
		return REPLAYED_COUNTER;
	}
	return MYSEAL_OK;
}

void myseal_nonce(uint8_t nonce[MYSEAL_CCM_NONCE_BYTES], const uint8_t *frame, uint8_t sender,
                  uint8_t destination, uint8_t child, const uint8_t *challenge)
{
	nonce[0] = frame[0];
	nonce[1] = sender;
	nonce[2] = destination;
	nonce[3] = child;
	for (uint8_t i = 0; i < 4; i++) {
		nonce[MYSEAL_NONCE_COUNTER_AT + i] = frame[MYSEAL_COUNTER_AT + i];
	}
	for (uint8_t i = 0; i < MYSEAL_CHALLENGE_BYTES; i++) {
		nonce[MYSEAL_NONCE_CHALLENGE_AT + i] = challenge ? challenge[i] : 0;
	}
}

/*
 * One block of RAM for what the node builds for a moment and wipes at once: a nonce, a derivation
 * block. Never two at a time (nothing that uses it calls another that does), and static, so none of
 * those functions needs a stack frame for it (on AVR a frame costs some 30 bytes of code each).
 */
static uint8_t work[MYSEAL_AES128_BLOCK_BYTES];

uint8_t *myseal_work_block(void)
{
	return work;
}

uint8_t myseal_frame_seal(const uint8_t key[MYSEAL_AES128_KEY_BYTES], uint8_t *frame, uint8_t n,
                          uint8_t sender, uint8_t destination, uint8_t child,
                          const uint8_t *challenge)
{
	myseal_nonce(work, frame, sender, destination, child, challenge);
	uint8_t *body = frame + MYSEAL_BODY_AT;
	myseal_ccm_seal(key, work, body, n, body, body + n);
	// The nonce holds the challenge of a critical frame: secret, so it does not stay behind.
	myseal_wipe(work, MYSEAL_CCM_NONCE_BYTES);
	return (uint8_t)(MYSEAL_OVERHEAD + n);
}

bool myseal_above(const uint8_t a[4], const uint8_t b[4])
{
	return memcmp(a, b, 4) > 0;
}

void myseal_count_up(uint8_t c[4])
{
	for (uint8_t i = 4; i != 0 && ++c[i - 1] == 0; i--) {
	}
}

/* Out of line: the compiler would copy a counter at a fixed address with 16 bytes of loads and
 * stores at every use. */
__attribute__((noinline)) void myseal_counter_copy(uint8_t to[4], const uint8_t from[4])
{
	memcpy(to, from, 4);
}

__attribute__((noinline)) bool myseal_counter_zero(const uint8_t c[4])
{
	return (c[0] | c[1] | c[2] | c[3]) == 0;
}

uint32_t myseal_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

void myseal_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}
