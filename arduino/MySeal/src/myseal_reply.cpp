/*
 * MySeal: what a node sends, results and reports, built and sealed in the caller's 25 bytes.
 *
 * A frame takes its counter first, because a result that hands out a challenge derives it from
 * its own counter. Counters are reserved ahead (docs/protocol.md section 6): passing the end of
 * the reservation reserves the rest of that block of 16 (reserved = counter | 0x0F, no carry to
 * propagate), and the reservation is stored, with everything else the command changed, before the
 * frame is sealed: no frame ever leaves ahead of the state it follows from.
 */
#include <string.h>

#include "myseal_frame.h"
#include "myseal_node.h"

void myseal_frame_begin(uint8_t *io)
{
	struct myseal_state *s = myseal_base();
	uint8_t *next = s->send_next;
	io[0] = 0;  // the header comes last: until then io[0..4] is 00 | counter, a challenge's input
	memcpy(io + MYSEAL_COUNTER_AT, next, 4);
	if ((next[0] | next[1] | next[2] | next[3]) == 0) {
		return;  // all 2^32 - 1 used: frame_end() lets nothing out
	}
	if (memcmp(next, s->send_reserved, 4) > 0) {
		memcpy(s->send_reserved, next, 4);
		s->send_reserved[3] |= MYSEAL_SEND_RESERVE - 1;
		s->dirty = 1;
	}
	for (uint8_t i = 4; i != 0 && ++next[i - 1] == 0; i--) {
	}
}

void myseal_issue_challenge(const uint8_t *io, uint8_t child, uint8_t *dst)
{
	struct myseal_state *s = myseal_base();
	// C3 | node | child | 00 | the result's own counter | 00 * 8
	myseal_derive(s->challenge, MYSEAL_CHALLENGE_BYTES, MYSEAL_DOMAIN_CHALLENGE, child, io, 5);
	memcpy(dst, s->challenge, MYSEAL_CHALLENGE_BYTES);
	s->challenge_state = MYSEAL_CHALLENGE_FRESH;  // replaces any older one
	s->challenge_time = s->now;
}

uint8_t myseal_frame_end(uint8_t *io, uint8_t header, uint8_t child, uint8_t body_length)
{
	myseal_commit();
	io[0] = header;
	if ((io[1] | io[2] | io[3] | io[4]) == 0) {
		return 0;  // counters used up: a node that can no longer seal stays silent
	}
	return myseal_frame_seal(myseal.key, io, body_length, myseal_settings.node_id, 0, child, 0);
}

uint8_t myseal_report(uint8_t child, uint8_t type, uint8_t payload_type, const void *value,
                      uint8_t length, uint32_t now, uint8_t *io)
{
	myseal.now = now;
	if (length > MYSEAL_REPORT_VALUE_MAX) {
		length = MYSEAL_REPORT_VALUE_MAX;
	}
	myseal_frame_begin(io);
	io[MYSEAL_BODY_AT] = type;
	io[MYSEAL_BODY_AT + 1] = payload_type;
	memcpy(io + MYSEAL_BODY_AT + 2, value, length);
	return myseal_frame_end(io, MYSEAL_HEADER_REPORT, child, (uint8_t)(2 + length));
}
