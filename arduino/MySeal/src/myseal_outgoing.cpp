/*
 * MySeal: the frames a node sends. See myseal_outgoing.h.
 */
#include "myseal_outgoing.h"

#include <string.h>

#include "myseal_frame.h"
#include "myseal_node.h"
#include "myseal_store.h"

static uint8_t next[4];  // the next node counter, BE (0: all 2^32 - 1 used)

void myseal_outgoing_boot(void)
{
	// Counters reserved before the reset may have been used: continue after all of them.
	myseal_counter_copy(next, myseal_store_hot() + MYSEAL_HOT_SEND_RESERVED);
	myseal_count_up(next);
}

void myseal_frame_begin(uint8_t *io)
{
	uint8_t *reserved = myseal_store_hot() + MYSEAL_HOT_SEND_RESERVED;
	io[0] = 0;
	myseal_counter_copy(io + MYSEAL_COUNTER_AT, next);
	if (myseal_counter_zero(next)) {
		return;  // all used: myseal_frame_end() lets nothing out
	}
	if (myseal_above(next, reserved)) {
		myseal_counter_copy(reserved, next);
		reserved[3] |= MYSEAL_SEND_RESERVE - 1;
		myseal_store_changed();
	}
	myseal_count_up(next);
}

uint8_t myseal_frame_end(uint8_t *io, uint8_t header, uint8_t child, uint8_t body_length)
{
	myseal_store_commit();
	io[0] = header;
	if (myseal_counter_zero(io + MYSEAL_COUNTER_AT)) {
		return 0;  // counters used up: a node that can no longer seal stays silent
	}
	return myseal_frame_seal(myseal_store_key(), io, body_length, myseal_node_id(), 0, child, 0);
}

uint8_t myseal_report(uint8_t child, uint8_t type, uint8_t payload_type, const void *value,
                      uint8_t length, uint8_t *io)
{
	if (length > MYSEAL_REPORT_VALUE_MAX) {
		length = MYSEAL_REPORT_VALUE_MAX;
	}
	myseal_frame_begin(io);
	io[MYSEAL_BODY_AT] = type;
	io[MYSEAL_BODY_AT + 1] = payload_type;
	memcpy(io + MYSEAL_BODY_AT + 2, value, length);
	return myseal_frame_end(io, MYSEAL_HEADER_REPORT, child, (uint8_t)(2 + length));
}

uint8_t myseal_report_byte(uint8_t child, uint8_t type, uint8_t value, uint8_t *io)
{
	myseal_frame_begin(io);
	io[MYSEAL_BODY_AT] = type;
	io[MYSEAL_BODY_AT + 1] = MYSEAL_P_BYTE;
	io[MYSEAL_BODY_AT + 2] = value;
	return myseal_frame_end(io, MYSEAL_HEADER_REPORT, child, 3);
}

const uint8_t *myseal_send_next(void)
{
	return next;
}
