/*
 * MySeal: the commands (docs/protocol.md section 8.1), steps 8 and 9 of the receive order: the
 * rules every command must meet (its length, the kind of frame, the child, PIN layouts, MySensors
 * values, guarded children), then the command itself.
 *
 * GET_CHALLENGE, ROTATE_KEY and SET are handled here. The lock's commands (STATUS, LOCK, UNLOCK,
 * SET_PIN) go to the lock through a route the sketch sets up with lockChild() (myseal_lock.h):
 * a node that never does links no lock and no PIN code, and answers them NOT_SUPPORTED.
 */
#ifndef MYSEAL_COMMANDS_H
#define MYSEAL_COMMANDS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The lock's entry: op is a command opcode (STATUS, LOCK, UNLOCK, SET_PIN: args and io as for
 * myseal_run_command(), the status set in io[5], the data length returned) or one of
 * MYSEAL_LOCK_BOOT and MYSEAL_LOCK_POLL (myseal_lock.h).
 */
typedef uint8_t (*myseal_lock_entry)(uint8_t op, const uint8_t *args, uint8_t *io, uint8_t child);

/* The lock's child and entry (NULL: no lock on this node). */
void myseal_route_lock(uint8_t child, myseal_lock_entry entry);
myseal_lock_entry myseal_lock_route(void);
uint8_t myseal_lock_child(void);

/* Children (bit c: child c, 0-15) whose sets must be bound to a challenge, like an unlock. */
void myseal_guard_children(uint16_t children);
uint16_t myseal_guarded_children(void);

/*
 * Steps 8 and 9 for the command in io[5..5 + n), an authentic and fresh frame of this kind
 * (critical: bound to the challenge) on this child: sets the result's status in io[5] and its
 * data from io[10], returns the data length.
 */
uint8_t myseal_run_command(uint8_t *io, uint8_t n, uint8_t critical, uint8_t child);

#ifdef __cplusplus
}
#endif

#endif /* MYSEAL_COMMANDS_H */
