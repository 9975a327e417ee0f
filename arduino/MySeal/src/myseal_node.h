/*
 * MySeal: the node side of sealed frames v1, free of MySensors: frames in, sealed frames out,
 * time passed in. MySeal.h wraps it for a MySensors sketch; tests drive it directly.
 *
 * One node per program, its jobs in files of their own, each keeping its own state:
 *   myseal_receive.h    the receive order (docs/protocol.md section 9) and the challenge
 *   myseal_commands.h   the commands (8.1): their rules, GET_CHALLENGE, ROTATE_KEY, SET
 *   myseal_lock.h       the lock: state, PIN attempts and lockouts (8.5), auto-relock, hand turns
 *   myseal_store.h      the EEPROM records: counters, key, PIN, the lock's state
 *   myseal_outgoing.h   the frames the node sends: counters reserved ahead, results, reports
 * and this file: the node's id and clock, its start, the derivations (sections 7, 8.6).
 *
 * Every call that may send writes the sealed frame into `io`, a 25-byte buffer, and returns its
 * length (0: nothing to send); results go back on the child the command came on, reports on the
 * child given, the lock's on the lock's child (myseal_lock_child()).
 *
 * What the sketch provides (both optional, weak as MySensors' own callbacks):
 *   void mysealLockChanged(bool locked)
 *       the lock must move: a command, auto-relock or setLocked(). Called after the new state is
 *       stored and before the result goes out.
 *   bool mysealSet(uint8_t child, uint8_t type, uint8_t payloadType, const uint8_t *value,
 *                  uint8_t length)
 *       a sealed set arrived (value little-endian as in a MyMessage, strings not terminated);
 *       return false when the child cannot take it (the controller gets NOT_SUPPORTED).
 * And the storage (myseal_storage.h).
 */
#ifndef MYSEAL_NODE_H
#define MYSEAL_NODE_H

#include <stdint.h>

#include "myseal_commands.h"
#include "myseal_lock.h"
#include "myseal_outgoing.h"
#include "myseal_protocol.h"
#include "myseal_receive.h"
#include "myseal_store.h"
#include "myseal_verdict.h"

void mysealLockChanged(bool locked) __attribute__((weak));
bool mysealSet(uint8_t child, uint8_t type, uint8_t payloadType, const uint8_t *value,
               uint8_t length) __attribute__((weak));

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Loads the node's state from the store, or provisions it: on first boot, and whenever the sketch
 * carries a different key than the one the node was provisioned with (a new `myseal keygen`), the
 * node stores key and first-boot PIN and starts its counters over. Settings (the lock's, guarded
 * children, the challenge window) are made before. key: in RAM (MySeal.h copies it from flash).
 */
void myseal_begin(uint8_t node_id, uint32_t now, const uint8_t key[16], uint32_t pin_bcd);

/* Call from loop(): auto-relock when due (then its report in io). Nothing on a node without lock. */
uint8_t myseal_poll(uint32_t now, uint8_t *io);

uint8_t myseal_node_id(void);

/*
 * The time of the call in progress (millis()), for the jobs that count time: what has passed since
 * a moment they noted, and noting the moment `plus` ms from now. (Out of line: a 32-bit number at a
 * fixed address costs an 8-bit core 16 bytes at every use.)
 */
uint32_t myseal_clock(void);
void myseal_clock_set(uint32_t now);
uint32_t myseal_elapsed(const uint32_t *since);
void myseal_stamp(uint32_t *moment, uint32_t plus);

/*
 * out[0..out_length) = AES_key(domain | node | third | input | 00...), the input at
 * block[3..3 + input_length). out may be the key itself (a rotation). Leaves nothing behind.
 */
void myseal_derive(const uint8_t *key, uint8_t *out, uint8_t out_length, uint8_t domain,
                   uint8_t third, const uint8_t *input, uint8_t input_length);

#ifdef __cplusplus
}
#endif

#endif /* MYSEAL_NODE_H */
