/*
 * Time for the Arduino.h stand-in. See Arduino.h.
 */
#include "Arduino.h"

#if defined(__AVR__)
#include <avr/interrupt.h>
#include <util/atomic.h>

static volatile uint32_t timer0_overflows;

ISR(TIMER0_OVF_vect)
{
	timer0_overflows++;
}

void myseal_stub_init_timer(void)
{
	TCCR0A = 0;
	TCCR0B = (1 << CS01) | (1 << CS00);  // clk/64: 4 us per tick at 16 MHz, 1.024 ms per overflow
	TIMSK0 = (1 << TOIE0);
	sei();
}

uint32_t micros(void)
{
	uint32_t overflows;
	uint8_t ticks;
	ATOMIC_BLOCK(ATOMIC_RESTORESTATE)
	{
		overflows = timer0_overflows;
		ticks = TCNT0;
		if ((TIFR0 & (1 << TOV0)) && ticks < 255) {
			overflows++;  // overflowed while interrupts were off
		}
	}
	return ((overflows << 8) + ticks) * (64UL / (F_CPU / 1000000UL));
}

uint32_t millis(void)
{
	return micros() / 1000UL;
}

void delay(uint32_t ms)
{
	uint32_t start = millis();
	while (millis() - start < ms) {
	}
}

#else

static uint32_t fake_micros;

void myseal_stub_advance_millis(uint32_t ms)
{
	fake_micros += ms * 1000UL;
}

uint32_t micros(void)
{
	return fake_micros;
}

uint32_t millis(void)
{
	return fake_micros / 1000UL;
}

void delay(uint32_t ms)
{
	myseal_stub_advance_millis(ms);
}

#endif
