/*
 * Stand-in for a Cortex-M Arduino core's Arduino.h, for compiling MySeal and MySensors' headers
 * only (see README.md in this folder): declarations, no implementation.
 */
#ifndef MYSEAL_CORTEX_M_SHIM_ARDUINO_H
#define MYSEAL_CORTEX_M_SHIM_ARDUINO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint8_t byte;
typedef bool boolean;

#define HIGH 0x1
#define LOW 0x0
#define INPUT 0x0
#define OUTPUT 0x1
#define INPUT_PULLUP 0x2
#define CHANGE 2
#define FALLING 3
#define RISING 4

/* Flash is in the address space on a Cortex-M: "program memory" is plain memory. */
#define PROGMEM
#define PSTR(s) (s)
#define pgm_read_byte(addr) (*(const uint8_t *)(addr))
#define pgm_read_word(addr) (*(const uint16_t *)(addr))
#define pgm_read_dword(addr) (*(const uint32_t *)(addr))
#define memcpy_P memcpy
#define strlen_P strlen

#ifdef __cplusplus
class __FlashStringHelper;
#define F(s) (reinterpret_cast<const __FlashStringHelper *>(PSTR(s)))
#endif

#ifdef __cplusplus
extern "C" {
#endif
uint32_t millis(void);
uint32_t micros(void);
void delay(uint32_t ms);
void pinMode(uint32_t pin, uint32_t mode);
void digitalWrite(uint32_t pin, uint32_t value);
int digitalRead(uint32_t pin);
int analogRead(uint32_t pin);
void randomSeed(uint32_t seed);
/* The sketch's, called by the core's main(). */
void setup(void);
void loop(void);
#ifdef __cplusplus
}
long random(long howbig); /* C++ overload beside newlib's random(void), as the cores have it */
#endif

#if defined(ARDUINO_ARCH_SAMD)
/* The CMSIS intrinsics SAMD's Arduino.h brings (through sam.h); MySensors' critical section uses them. */
static inline void __disable_irq(void)
{
	__asm volatile("cpsid i" : : : "memory");
}
static inline uint32_t __get_PRIMASK(void)
{
	uint32_t result;
	__asm volatile("mrs %0, primask" : "=r"(result));
	return result;
}
static inline void __set_PRIMASK(uint32_t priMask)
{
	__asm volatile("msr primask, %0" : : "r"(priMask) : "memory");
}
#endif

#endif /* MYSEAL_CORTEX_M_SHIM_ARDUINO_H */
