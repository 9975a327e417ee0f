/*
 * MySeal: comparisons and wiping that do not leak secrets through timing or leftovers.
 *
 * Tags and PINs are compared with myseal_ct_equal(): it always reads every byte, so the time it
 * takes says nothing about where the first difference is. Buffers that held keys, keystream or
 * MAC state are cleared with myseal_wipe() before the stack frame is given back, so a later
 * uninitialised buffer (a radio payload, say) can never carry them out.
 */
#ifndef MYSEAL_CT_H
#define MYSEAL_CT_H

#include <stdint.h>
#ifndef __cplusplus
#include <stdbool.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* true when a[0..len) equals b[0..len); the time depends on len only. */
bool myseal_ct_equal(const uint8_t *a, const uint8_t *b, uint8_t len);

/* Sets len bytes at p to zero with stores the compiler may not remove. */
void myseal_wipe(void *p, uint8_t len);

#ifdef __cplusplus
}
#endif

/*
 * MYSEAL_OPAQUE(x): tells the compiler it knows nothing about x from here on. Keeps it from
 * proving facts about secret values (say "diff is already non-zero") and turning straight-line
 * code into an early exit or a branch. Costs no instruction.
 */
#if defined(__GNUC__) || defined(__clang__)
#define MYSEAL_OPAQUE(x) __asm__ __volatile__("" : "+r"(x))
#else
#error "MySeal needs GCC or Clang (inline asm barrier for constant-time code)"
#endif

#endif /* MYSEAL_CT_H */
