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
}

int digitalRead(uint8_t pin)
{
	return pin <= 13 && (*port_of(pin, 2) & bit_of(pin)) ? HIGH : LOW;
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

static uint8_t pins[20];

void myseal_stub_set_pin(uint8_t pin, uint8_t value)
{
	if (pin < sizeof pins) {
		pins[pin] = value;
	}
}

void pinMode(uint8_t pin, uint8_t mode)
{
	if (pin < sizeof pins && mode == INPUT_PULLUP) {
		pins[pin] = HIGH;
	}
}

void digitalWrite(uint8_t pin, uint8_t value)
{
	myseal_stub_set_pin(pin, value);
}

int digitalRead(uint8_t pin)
{
	return pin < sizeof pins ? pins[pin] : LOW;
}

#endif
