/*
 * MySeal: what the node concluded about a frame, checks 1-7 of the normative receive order
 * (docs/protocol.md section 9). The names are the error codes of the TypeScript receive rules
 * (src/protocol/receive.ts) and of the golden vectors' "verdict" field, so a log line, a test and
 * the specification all say the same thing.
 */
#ifndef MYSEAL_VERDICT_H
#define MYSEAL_VERDICT_H

#include <stdint.h>

enum myseal_verdict {
	MYSEAL_OK = 0,          // authentic, fresh, challenge good: the node acted on it
	FRAME_TOO_SHORT,        // 1. fewer than 14 bytes
	FRAME_TOO_LONG,         // 1. more than 25 bytes
	BAD_VERSION,            // 2. version field is not 1
	WRONG_DIRECTION,        // 2. a node-to-controller frame
	BAD_KIND,               // 2. kind is not COMMAND or CRITICAL
	REPLAYED_COUNTER,       // 3. counter 0, or 6. not above the last accepted one
	NO_CHALLENGE,           // 4. CRITICAL, but the node holds no challenge
	AUTH_FAILED,            // 5. the tag does not verify
	CHALLENGE_USED,         // 7. the challenge was already consumed
	CHALLENGE_EXPIRED,      // 7. the challenge is older than the window
	MYSEAL_NOT_A_FRAME      // the message is not C_STREAM type 83 (the adapter's, never the core's)
};

/*
 * Only frames that passed the tag check (REPLAYED_COUNTER from check 6, CHALLENGE_USED,
 * CHALLENGE_EXPIRED and MYSEAL_OK) can ever be answered; REPLAYED_COUNTER from check 3 never is.
 */

#ifdef __cplusplus
extern "C" {
#endif

/* "FRAME_TOO_SHORT", ... for logs and tests; linked only when called. */
const char *myseal_verdict_name(uint8_t verdict);

#ifdef __cplusplus
}
#endif

#endif /* MYSEAL_VERDICT_H */
