/*
 * Time for the Arduino.h stand-in. See Arduino.h.
 */
#include "Arduino.h"

void (*myseal_stub_on_write)(uint8_t pin, uint8_t value);

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

/* Pins 0-7 are PORTD, 8-13 PORTB, as on an Uno or a Pro Mini. */
static volatile uint8_t *port_of(uint8_t pin, uint8_t offset)
{
	// DDRx = PORTx - 1, PINx = PORTx - 2 on the ATmega328P.
	return (pin < 8 ? &PORTD : &PORTB) - offset;
}

static uint8_t bit_of(uint8_t pin)
{
	return (uint8_t)(1u << (pin < 8 ? pin : pin - 8));
}

void pinMode(uint8_t pin, uint8_t mode)
{
	if (pin > 13) {
		return;
	}
	volatile uint8_t *ddr = port_of(pin, 1), *port = port_of(pin, 0);
	if (mode == OUTPUT) {
		*ddr = (uint8_t)(*ddr | bit_of(pin));
	} else {
		*ddr = (uint8_t)(*ddr & ~bit_of(pin));
		*port = mode == INPUT_PULLUP ? (uint8_t)(*port | bit_of(pin)) : (uint8_t)(*port & ~bit_of(pin));
	}
}

void digitalWrite(uint8_t pin, uint8_t value)
{
	if (pin > 13) {
		return;
	}
	volatile uint8_t *port = port_of(pin, 0);
	*port = value ? (uint8_t)(*port | bit_of(pin)) : (uint8_t)(*port & ~bit_of(pin));
	if (myseal_stub_on_write) {
		myseal_stub_on_write(pin, value ? HIGH : LOW);
	}
}

int digitalRead(uint8_t pin)
{
	return pin <= 13 && (*port_of(pin, 2) & bit_of(pin)) ? HIGH : LOW;
}

#else

#include <stdio.h>

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

/* Per pin: the latch (an output's level, or an input's pull-up), its direction, and what holds
 * it from outside (0: nothing; otherwise 1 + the level it is held at). */
#define PINS 20
static uint8_t latch[PINS], output[PINS], held[PINS];

static struct {
	uint8_t pin, level;
	uint32_t at_ms;
} events[MYSEAL_STUB_PIN_EVENTS];
static uint8_t event_count, events_done;

void myseal_stub_drive_pin(uint8_t pin, uint8_t level, uint32_t at_ms)
{
	if (pin >= PINS || level > MYSEAL_STUB_FLOATING || event_count == MYSEAL_STUB_PIN_EVENTS ||
	    (event_count != 0 && at_ms < events[event_count - 1].at_ms)) {
		fprintf(stderr, "myseal_stub_drive_pin: pin %u level %u at %lu refused\n", pin, level,
		        (unsigned long)at_ms);
		abort();
	}
	events[event_count].pin = pin;
	events[event_count].level = level;
	events[event_count].at_ms = at_ms;
	event_count++;
}

/* The outside world up to now: every event due by the fake clock. */
static void outside_now(void)
{
	while (events_done < event_count && events[events_done].at_ms <= millis()) {
		const uint8_t level = events[events_done].level;
		held[events[events_done].pin] = level == MYSEAL_STUB_FLOATING ? 0 : (uint8_t)(1 + level);
		events_done++;
	}
}

void pinMode(uint8_t pin, uint8_t mode)
{
	if (pin < PINS) {
		output[pin] = mode == OUTPUT;
		latch[pin] = mode == INPUT_PULLUP ? HIGH : (mode == INPUT ? LOW : latch[pin]);
	}
}

void digitalWrite(uint8_t pin, uint8_t value)
{
	if (pin < PINS) {
		latch[pin] = value ? HIGH : LOW;
	}
	if (myseal_stub_on_write) {
		myseal_stub_on_write(pin, value ? HIGH : LOW);
	}
}

int digitalRead(uint8_t pin)
{
	if (pin >= PINS) {
		return LOW;
	}
	outside_now();
	return output[pin] || held[pin] == 0 ? latch[pin] : held[pin] - 1;
}

#endif
