/*
 * MySeal: the receive order (docs/protocol.md section 9) and the node's challenge (section 7).
 *
 * myseal_receive() takes a frame through checks 1-7 in the normative order, persists the counter,
 * answers a stale frame at most once per boot, and hands the command to myseal_run_command()
 * (myseal_commands.h) for steps 8 and 9. Nothing that fails before the tag check is answered or
 * written.
 *
 * The challenge lives here, in RAM only (a reset forgets it: fail closed): one at a time, single
 * use, valid for the challenge window after it was issued. Results issue it (GET_CHALLENGE,
 * WRONG_PIN, CHALLENGE_EXPIRED) through myseal_challenge_issue().
 */
#ifndef MYSEAL_RECEIVE_H
#define MYSEAL_RECEIVE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Challenge states. */
#define MYSEAL_CHALLENGE_NONE 0
#define MYSEAL_CHALLENGE_FRESH 1
#define MYSEAL_CHALLENGE_SPENT 2

/*
 * Checks 1-6, without acting: the verdict, and in body the plaintext when the tag verified
 * (MYSEAL_OK, or REPLAYED_COUNTER from check 6). body holds up to 12 bytes and is zeroed on
 * AUTH_FAILED. `sender` and `child` are the MySensors header the frame came with.
 */
uint8_t myseal_open(uint8_t sender, uint8_t child, const uint8_t *frame, uint8_t len,
                    uint8_t *body);

/*
 * The whole receive path: the result to send back in io (its length; 0: nothing to send, and io's
 * body wiped). The verdict is myseal_verdict() afterwards.
 */
uint8_t myseal_receive(uint32_t now, uint8_t sender, uint8_t child, const uint8_t *frame,
                       uint8_t len, uint8_t *io);

/* What became of the last frame (enum myseal_verdict). */
uint8_t myseal_verdict(void);

/* A reset: no challenge, no stale frame answered yet. */
void myseal_receive_boot(void);

/*
 * A challenge for the result being built in io (io[0] = 0, io[1..4] = its counter: the 00 | counter
 * of the derivation block), held as the node's current one (issued now) and copied to
 * io[at..at + 4].
 */
void myseal_challenge_issue(uint8_t *io, uint8_t child, uint8_t at);

/* The challenge held, its state, and (for tests) holding a given one as if issued at `issued`. */
const uint8_t *myseal_challenge(void);
uint8_t myseal_challenge_state(void);
void myseal_challenge_hold(const uint8_t challenge[5], uint32_t issued, uint8_t state);

/* How long a challenge stays valid, in ms (default and most 10 000). */
void myseal_challenge_window(uint16_t ms);
uint16_t myseal_challenge_window_ms(void);

#ifdef __cplusplus
}
#endif

#endif /* MYSEAL_RECEIVE_H */
