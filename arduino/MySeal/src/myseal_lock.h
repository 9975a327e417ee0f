/*
 * MySeal: the lock. Its state (locked, the PIN attempts left, the lockout level, in the store's
 * hot record; the running lockout and the last turn, in RAM), its commands with the policy of
 * docs/protocol.md section 8.5 (STATUS, LOCK, UNLOCK, SET_PIN), the lockout clock, auto-relock and
 * turns by hand or by a button, each reported sealed on the lock's child.
 *
 * myseal_lock_enable() puts the lock on a child and routes the lock's commands to it
 * (myseal_commands.h): only a sketch that calls it (lockChild()) links this file. Everything else
 * here is called by such a sketch only.
 *
 * A PIN attempt is counted in the store before the PIN is compared, in the same record as the
 * lockout a wrong PIN would start, so cutting the power at the answer never wins a try and never
 * shortens a lockout; a correct PIN gives the attempts back. A lockout running at a reset starts
 * over, in full. The lock counts a lockout as the millis() at which it ends; its seconds, where a
 * result carries them, are rounded up. A new node starts locked.
 */
#ifndef MYSEAL_LOCK_H
#define MYSEAL_LOCK_H

#include <stdint.h>
#ifndef __cplusplus
#include <stdbool.h>
#endif

/* The lock's own entries besides its commands (myseal_lock_entry, myseal_commands.h). */
#define MYSEAL_LOCK_BOOT 0x10  // after the store is loaded; child: 1 on a new node (first boot or key)
#define MYSEAL_LOCK_POLL 0x11  // the lockout clock and auto-relock: a report in io (its length)

#ifdef __cplusplus
extern "C" {
#endif

/* The lock on this child: its commands are routed here. Before myseal_begin(). */
void myseal_lock_enable(uint8_t child);

/* Settings (before myseal_begin()): wrong PINs before a lockout; the first lockout and the
 * longest (each further one doubles); auto-relock after an unlock (0: never). */
void myseal_lock_max_attempts(uint8_t attempts);
void myseal_lock_lockout(uint32_t first_ms, uint32_t cap_ms);
void myseal_lock_relock(uint16_t ms);

/* The lock turned by hand or by its button: stored, moved, and a sealed report in io. */
uint8_t myseal_set_locked(uint32_t now, uint8_t locked, uint8_t *io);

bool myseal_is_locked(void);
/* Seconds of lockout left now (0: none); attempts left. */
uint32_t myseal_lockout_seconds(uint32_t now);
uint8_t myseal_attempts_left(uint32_t now);

/* The running lockout's length from its level (ms). */
uint32_t myseal_lockout_duration(void);

#ifdef __cplusplus
}
#endif

#endif /* MYSEAL_LOCK_H */
