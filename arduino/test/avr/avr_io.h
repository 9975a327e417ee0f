/*
 * Bare-metal I/O for MySeal's firmware under simavr (test/sim/myseal_sim.c): UART0 at 1 Mbaud,
 * section markers for cycle and stack measurements, and a way to end the run with a status.
 * Polled, no interrupts: nothing runs behind the code being measured.
 */
#ifndef MYSEAL_AVR_IO_H
#define MYSEAL_AVR_IO_H

#include <avr/io.h>
#include <avr/pgmspace.h>
#include <stdint.h>

void avrio_init(void);
void avrio_putc(char c);
void avrio_puts_P(const char *flash_text);
void avrio_put_u32(uint32_t value);
void avrio_put_hex(const uint8_t *bytes, uint8_t n);
int avrio_getc(void);  // blocks; -1 never happens under the simulator (it waits for stdin)

/* Ends the simulation with this exit status (on a real chip: stops with interrupts off). */
void avrio_exit(uint8_t status) __attribute__((noreturn));

/*
 * Marks for myseal-sim: open/close measured section k (1..127), one OUT instruction each. The
 * memory clobbers keep the compiler from moving work (say, of an inlined function) across them.
 */
#define AVRIO_SECTION_BEGIN(k)                         \
	do {                                               \
		__asm__ __volatile__("" ::: "memory");         \
		GPIOR0 = (uint8_t)(k);                         \
		__asm__ __volatile__("" ::: "memory");         \
	} while (0)
#define AVRIO_SECTION_END(k)                           \
	do {                                               \
		__asm__ __volatile__("" ::: "memory");         \
		GPIOR0 = (uint8_t)(0x80u | (k));               \
		__asm__ __volatile__("" ::: "memory");         \
	} while (0)

/* Timer1 at the CPU clock, for on-chip timing comparisons (16 bits: up to 65535 cycles). */
static inline void avrio_timer1_start(void)
{
	TCCR1A = 0;
	TCCR1B = (1 << CS10);
}

static inline uint16_t avrio_timer1_now(void)
{
	return TCNT1;
}

#endif /* MYSEAL_AVR_IO_H */
