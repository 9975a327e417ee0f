/*
 * MySeal: the node side of sealed frames v1, free of MySensors: frames in, sealed frames out,
 * time passed in. MySeal.h wraps it for a MySensors sketch; tests drive it directly.
 *
 * One node per program (the state is one static struct, `myseal`). Every call that may send
 * writes the sealed frame into `io`, a 25-byte buffer, and returns its length (0: nothing to
 * send); results go back on the child the command came on, reports on the child given, the lock's
 * on the lock's child.
 *
 * What the sketch provides (both optional, weak as MySensors' own callbacks):
 *   void mysealLockChanged(bool locked)
 *       the lock must move: a command, auto-relock or setLocked(). Called after the new state is
 *       in EEPROM and before the result goes out.
 *   bool mysealSet(uint8_t child, uint8_t type, uint8_t payloadType, const uint8_t *value,
 *                  uint8_t length)
 *       a sealed set arrived (value little-endian as in a MyMessage, strings not terminated);
 *       return false when the child cannot take it (the controller gets NOT_SUPPORTED).
 */
#ifndef MYSEAL_NODE_H
#define MYSEAL_NODE_H

#include <stdint.h>

#include "myseal_protocol.h"
#include "myseal_state.h"
#include "myseal_store.h"
#include "myseal_verdict.h"

void mysealLockChanged(bool locked) __attribute__((weak));
bool mysealSet(uint8_t child, uint8_t type, uint8_t payloadType, const uint8_t *value,
               uint8_t length) __attribute__((weak));

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Loads the node's state from EEPROM, or provisions it: on first boot, and whenever the sketch
 * carries a different key than the one the node was provisioned with (a new `myseal keygen`),
 * the node stores key and first-boot PIN and starts its counters over. A lockout running at the
 * last reset starts over in full. Settings in myseal_settings must be made before.
 */
void myseal_begin(uint32_t now, const uint8_t key[16], uint32_t pin_bcd);
/* The same with the key in flash (PROGMEM on AVR), as MySeal.h passes it. */
void myseal_begin_P(uint32_t now, const uint8_t *key, uint32_t pin_bcd);

/*
 * Checks 1-6 of the receive order, without acting: the verdict, and in body the plaintext when
 * the tag verified (MYSEAL_OK, or REPLAYED_COUNTER from check 6). body holds up to 12 bytes and is
 * zeroed on AUTH_FAILED. `sender` and `child` are the MySensors header the frame came with.
 */
uint8_t myseal_open(uint8_t sender, uint8_t child, const uint8_t *frame, uint8_t len,
                    uint8_t *body);

/*
 * The whole receive path: open, answer a stale counter, persist the counter, check the challenge,
 * then run the command and seal its result in io. The verdict is in myseal.verdict afterwards.
 */
uint8_t myseal_receive(uint32_t now, uint8_t sender, uint8_t child, const uint8_t *frame,
                       uint8_t len, uint8_t *io);

/* Call from loop(): counts a lockout down and relocks when due (then returns its report). */
uint8_t myseal_poll(uint32_t now, uint8_t *io);

/* The lock turned by hand or by its button: store it, move it, report it sealed. */
uint8_t myseal_set_locked(uint32_t now, uint8_t locked, uint8_t *io);

/* A sealed report of any value (at most 10 bytes) for a child. */
uint8_t myseal_report(uint32_t now, uint8_t child, uint8_t type, uint8_t payload_type,
                      const void *value, uint8_t length, uint8_t *io);

/* Seconds of lockout left now (0: none); attempts left. */
uint32_t myseal_lockout_seconds(uint32_t now);
uint8_t myseal_attempts_left(uint32_t now);

#ifdef __cplusplus
}
#endif

#endif /* MYSEAL_NODE_H */
