/*
 * MySeal: verdict names, for logs and tests. In its own file so a node that never prints a verdict
 * does not carry the strings.
 */
#include "myseal_verdict.h"

const char *myseal_verdict_name(uint8_t verdict)
{
	switch (verdict) {
	case MYSEAL_OK: return "ok";
	case FRAME_TOO_SHORT: return "FRAME_TOO_SHORT";
	case FRAME_TOO_LONG: return "FRAME_TOO_LONG";
	case BAD_VERSION: return "BAD_VERSION";
	case WRONG_DIRECTION: return "WRONG_DIRECTION";
	case BAD_KIND: return "BAD_KIND";
	case REPLAYED_COUNTER: return "REPLAYED_COUNTER";
	case NO_CHALLENGE: return "NO_CHALLENGE";
	case AUTH_FAILED: return "AUTH_FAILED";
	case CHALLENGE_USED: return "CHALLENGE_USED";
	case CHALLENGE_EXPIRED: return "CHALLENGE_EXPIRED";
	case MYSEAL_NOT_A_FRAME: return "NOT_A_FRAME";
	default: return "?";
	}
}
