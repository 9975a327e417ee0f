/*
 * Arduino.h stand-in for MySeal's test builds (host and simulated ATmega328P). Only what a
 * MySensors node sketch and the MySeal library touch: fixed-width types, PROGMEM access,
 * millis()/micros()/delay(), min()/max(), digital pins (the Uno/Pro Mini numbering: 0-7 PORTD,
 * 8-13 PORTB). Real sketches build against the real Arduino core.
 *
 * Host: time is a fake clock the test moves with myseal_stub_advance_millis(), and what holds an
 * input pin from outside is scripted against it (myseal_stub_drive_pin()).
 * AVR: millis() counts Timer0 overflows (prescaler 64, 1.024 ms at 16 MHz) as the Arduino core
 * does, once myseal_stub_init_timer() ran (it enables interrupts); the pins are the chip's, and
 * what holds them from outside is the simulator's (myseal-sim --pin).
 */
#ifndef MYSEAL_STUB_ARDUINO_H
#define MYSEAL_STUB_ARDUINO_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__AVR__)
#include <avr/io.h>
#include <avr/pgmspace.h>
#else
#define PROGMEM
#define PSTR(s) (s)
#define pgm_read_byte(addr) (*(const uint8_t *)(addr))
#define pgm_read_word(addr) (*(const uint16_t *)(addr))
#define memcpy_P memcpy
#define strlen_P strlen
#define strncpy_P strncpy
#endif

typedef uint8_t byte;
typedef bool boolean;

class __FlashStringHelper;
#define F(string_literal) (reinterpret_cast<const __FlashStringHelper *>(PSTR(string_literal)))

#ifndef min
#define min(a, b) ((a) < (b) ? (a) : (b))
#endif
#ifndef max
#define max(a, b) ((a) > (b) ? (a) : (b))
#endif

uint32_t millis(void);
uint32_t micros(void);
void delay(uint32_t ms);

#define LOW 0x0
#define HIGH 0x1
#define INPUT 0x0
#define OUTPUT 0x1
#define INPUT_PULLUP 0x2
#define CHANGE 1
#define FALLING 2
#define RISING 3
#define LED_BUILTIN 13
#define digitalPinToInterrupt(p) ((p) == 2 ? 0 : ((p) == 3 ? 1 : -1))

void pinMode(uint8_t pin, uint8_t mode);
void digitalWrite(uint8_t pin, uint8_t value);
int digitalRead(uint8_t pin);

/* Test side: every digitalWrite(), if set (a sketch's LED, relay or bolt, as a test sees it). */
extern void (*myseal_stub_on_write)(uint8_t pin, uint8_t value);

#if defined(__AVR__)
void myseal_stub_init_timer(void);
#else
void myseal_stub_advance_millis(uint32_t ms);
/*
 * The world outside the pins: from at_ms on (the fake clock), something outside holds the pin at
 * LOW or HIGH (a pressed button, a closed contact, a short), whatever its pull-up, or nothing
 * holds it (MYSEAL_STUB_FLOATING): then an input reads HIGH with its pull-up on and LOW without
 * (as MySensors on Linux reads a pin it does not know). Up to MYSEAL_STUB_PIN_EVENTS, in time
 * order.
 */
#define MYSEAL_STUB_FLOATING 2
#define MYSEAL_STUB_PIN_EVENTS 32
void myseal_stub_drive_pin(uint8_t pin, uint8_t level, uint32_t at_ms);
#endif

#endif /* MYSEAL_STUB_ARDUINO_H */
