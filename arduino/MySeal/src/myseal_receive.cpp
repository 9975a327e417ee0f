/*
 * MySeal: the receive order and the challenge. See myseal_receive.h.
 */
#include "myseal_receive.h"

#include <string.h>

#include "myseal_ccm.h"
#include "myseal_commands.h"
#include "myseal_ct.h"
#include "myseal_frame.h"
#include "myseal_node.h"
#include "myseal_outgoing.h"
#include "myseal_store.h"

static uint8_t verdict;                         // of the last frame
static uint8_t challenge_state;                 // MYSEAL_CHALLENGE_*
static uint8_t challenge[MYSEAL_CHALLENGE_BYTES];
static uint32_t challenge_time;                 // when it was issued
static uint8_t stale_answered[4];               // highest stale counter answered since boot, BE
static uint16_t window = MYSEAL_DEFAULT_CHALLENGE_WINDOW_MS;

void myseal_receive_boot(void)
{
	// Element by element: where nothing reads them (a node that takes no frames), the link-time
	// optimiser drops these stores and the variables with them.
	verdict = MYSEAL_OK;
	challenge_state = MYSEAL_CHALLENGE_NONE;  // a reset forgets the challenge: fail closed
	stale_answered[0] = 0;
	stale_answered[1] = 0;
	stale_answered[2] = 0;
	stale_answered[3] = 0;
}

uint8_t myseal_verdict(void)
{
	return verdict;
}

const uint8_t *myseal_challenge(void)
{
	return challenge;
}

uint8_t myseal_challenge_state(void)
{
	return challenge_state;
}

void myseal_challenge_hold(const uint8_t held[5], uint32_t issued, uint8_t state)
{
	memcpy(challenge, held, MYSEAL_CHALLENGE_BYTES);
	challenge_time = issued;
	challenge_state = state;  // replaces any older one
}

void myseal_challenge_issue(uint8_t *io, uint8_t child, uint8_t at)
{
	// C3 | node | child | 00 | the result's own counter | 00 * 8; replaces any older one.
	myseal_derive(myseal_store_key(), challenge, MYSEAL_CHALLENGE_BYTES, MYSEAL_DOMAIN_CHALLENGE,
	              child, io, 5);
	myseal_stamp(&challenge_time, 0);
	challenge_state = MYSEAL_CHALLENGE_FRESH;
	memcpy(io + at, challenge, MYSEAL_CHALLENGE_BYTES);
}

void myseal_challenge_window(uint16_t ms)
{
	window = ms < MYSEAL_DEFAULT_CHALLENGE_WINDOW_MS ? ms : MYSEAL_DEFAULT_CHALLENGE_WINDOW_MS;
}

uint16_t myseal_challenge_window_ms(void)
{
	return window;
}

uint8_t myseal_open(uint8_t sender, uint8_t child, const uint8_t *frame, uint8_t len, uint8_t *body)
{
	const uint8_t checked = myseal_frame_check(frame, len);
	if (checked != MYSEAL_OK) {
		return checked;
	}
	const uint8_t critical = frame[0] & MYSEAL_KIND_CRITICAL;
	if (critical && challenge_state == MYSEAL_CHALLENGE_NONE) {
		return NO_CHALLENGE;  // without a challenge the nonce cannot even be built
	}
	uint8_t *nonce = myseal_work_block();
	// Destination: this node's own id, so a frame sealed for another node (or a broadcast) fails.
	myseal_nonce(nonce, frame, sender, myseal_node_id(), child, critical ? challenge : 0);
	const uint8_t n = (uint8_t)(len - MYSEAL_OVERHEAD);
	const bool authentic = myseal_ccm_open(myseal_store_key(), nonce, frame + MYSEAL_BODY_AT, n,
	                                       frame + MYSEAL_BODY_AT + n, body);
	myseal_wipe(nonce, MYSEAL_CCM_NONCE_BYTES);
	if (!authentic) {
		return AUTH_FAILED;
	}
	if (!myseal_above(frame + MYSEAL_COUNTER_AT,
	                  myseal_store_hot() + MYSEAL_HOT_LAST_RECEIVED)) {
		return REPLAYED_COUNTER;
	}
	return MYSEAL_OK;
}

uint8_t myseal_receive(uint32_t now, uint8_t sender, uint8_t child, const uint8_t *frame,
                       uint8_t len, uint8_t *io)
{
	const uint8_t *counter = frame + MYSEAL_COUNTER_AT;
	uint8_t *last = myseal_store_hot() + MYSEAL_HOT_LAST_RECEIVED;
	uint8_t *data = io + MYSEAL_BODY_AT + 5, n, out = 0;
	myseal_clock_set(now);
	uint8_t outcome = myseal_open(sender, child, frame, len, io + MYSEAL_BODY_AT);
	if (outcome == MYSEAL_OK) {
		myseal_counter_copy(last, counter);  // stored with the first record written below
		myseal_store_changed();
	} else if (outcome != REPLAYED_COUNTER || !myseal_above(counter, stale_answered)) {
		goto done;  // not authentic, counter 0, or a stale frame answered before
	} else {
		myseal_counter_copy(stale_answered, counter);  // answered once per boot: replays cost nothing
	}

	myseal_frame_begin(io);
	if (outcome == REPLAYED_COUNTER) {
		// Authentic but stale: the last counter accepted, so a controller restored from a
		// backup can resync.
		io[MYSEAL_BODY_AT] = MYSEAL_STALE_COUNTER;
		myseal_counter_copy(data, last);
		n = 4;
	} else {
		const uint8_t critical = frame[0] & MYSEAL_KIND_CRITICAL;
		if (critical) {
			if (challenge_state == MYSEAL_CHALLENGE_SPENT) {
				outcome = CHALLENGE_USED;
			} else if (myseal_elapsed(&challenge_time) > window) {
				outcome = CHALLENGE_EXPIRED;
			}
			challenge_state = MYSEAL_CHALLENGE_SPENT;  // single use, whatever the outcome
		}
		if (outcome != MYSEAL_OK) {
			// A used or expired challenge: answered with a new one, so a retry needs no extra trip.
			io[MYSEAL_BODY_AT] = MYSEAL_CHALLENGE_EXPIRED_RESULT;
			myseal_challenge_issue(io, child, MYSEAL_BODY_AT + 5);
			n = MYSEAL_CHALLENGE_BYTES;
		} else {
			n = myseal_run_command(io, (uint8_t)(len - MYSEAL_OVERHEAD), critical, child);
		}
	}
	myseal_counter_copy(io + MYSEAL_BODY_AT + 1, counter);  // the command this result answers
	out = myseal_frame_end(io, MYSEAL_HEADER_RESULT, child, (uint8_t)(5 + n));
done:
	if (out == 0) {
		myseal_wipe(io + MYSEAL_BODY_AT, MYSEAL_BODY_MAX);  // a PIN may be in there
	}
	verdict = outcome;
	return out;
}
