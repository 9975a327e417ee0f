/*
 * MySeal: the frames a node sends (results and reports), each under the next node counter.
 *
 * A frame is built in io (25 bytes, the payload of the message that carries it):
 * myseal_frame_begin() takes the next counter (io[0] = 0, io[1..4] = the counter: the 00 | counter
 * a challenge is derived from), the body goes to io[5..], and myseal_frame_end() stores what
 * changed, sets the header and seals. Counters are reserved ahead in the store, 16 at a time
 * (MYSEAL_SEND_RESERVE): passing the end of the reservation reserves the rest of that block of 16,
 * in the record the frame's own changes are written with, and a reset continues after the
 * reservation, so no counter is ever used twice.
 */
#ifndef MYSEAL_OUTGOING_H
#define MYSEAL_OUTGOING_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* After the store is loaded: the next counter is the first one after the reservation. */
void myseal_outgoing_boot(void);

void myseal_frame_begin(uint8_t *io);

/* Commits the store, then seals: the frame's length, or 0 when all 2^32 - 1 counters are used. */
uint8_t myseal_frame_end(uint8_t *io, uint8_t header, uint8_t child, uint8_t body_length);

/* A sealed report of any value (at most 10 bytes, longer is cut) for a child: its length. */
uint8_t myseal_report(uint8_t child, uint8_t type, uint8_t payload_type, const void *value,
                      uint8_t length, uint8_t *io);

/* The same for a one-byte value (P_BYTE): a lock's state, a door contact. */
uint8_t myseal_report_byte(uint8_t child, uint8_t type, uint8_t value, uint8_t *io);

/* The next node counter, BE (0: none left). */
const uint8_t *myseal_send_next(void);

#ifdef __cplusplus
}
#endif

#endif /* MYSEAL_OUTGOING_H */
