/*
 * MySeal's portable self-test: the same checks on the host (test/host) and on the simulated
 * ATmega328P (test/avr). Each group prints one line, "ok <group> <checks>" or
 * "FAIL <group> <what>", so the TypeScript tests can require exact counts.
 *
 * The caller provides the output hooks; on AVR, text passed to selftest_emit() is in flash.
 */
#ifndef MYSEAL_SELFTEST_H
#define MYSEAL_SELFTEST_H

#include <stdint.h>

#if defined(__AVR__)
#include <avr/pgmspace.h>
#define ST_TEXT(s) PSTR(s)
#else
#define ST_TEXT(s) (s)
#endif

struct selftest_totals {
	uint32_t checks;
	uint32_t failures;
};

/* Provided by the platform. */
void selftest_emit(const char *text);  // text from ST_TEXT()
void selftest_emit_u32(uint32_t value);
void selftest_emit_hex(const uint8_t *bytes, uint8_t n);

/* Runs every portable group and adds to totals. */
void selftest_run(struct selftest_totals *totals);

/* Prints "RESULT PASS <checks>" or "RESULT FAIL <failures> of <checks>". */
void selftest_summary(const struct selftest_totals *totals);

/* Shared helpers for platform-specific groups. */
void selftest_group_end(struct selftest_totals *totals, const char *group, uint32_t checks,
                        uint32_t failures);
uint8_t selftest_unhex(const char *hex, uint8_t *out);

#endif /* MYSEAL_SELFTEST_H */
