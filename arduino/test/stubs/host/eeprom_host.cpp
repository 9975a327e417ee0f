/*
 * In-memory EEPROM for host builds, and for the on-chip node tests (where these definitions
 * replace avr-libc's). Addresses are EEPROM offsets cast to pointers, as with avr-libc; an
 * address past the 1 KB aborts the test (the real part would wrap silently).
 */
#include <avr/eeprom.h>
#include <stdio.h>

#include "../eeprom_stub.h"
#include <stdlib.h>
#include <string.h>

static uint8_t image[MYSEAL_STUB_EEPROM_BYTES];
static uint32_t writes;
static bool initialised;

void (*myseal_stub_eeprom_before_write)(uint16_t address, uint8_t value);

static void store(size_t at, uint8_t value)
{
	if (myseal_stub_eeprom_before_write) {
		myseal_stub_eeprom_before_write((uint16_t)at, value);
	}
	image[at] = value;
	writes++;
}

static size_t offset_of(const void *addr, size_t n)
{
	uintptr_t off = (uintptr_t)addr;
	if (off >= MYSEAL_STUB_EEPROM_BYTES || n > (size_t)(MYSEAL_STUB_EEPROM_BYTES - off)) {
		fprintf(stderr, "eeprom stub: access to %lu..+%lu is outside the EEPROM\n",
		        (unsigned long)off, (unsigned long)n);
		abort();
	}
	return (size_t)off;
}

uint8_t *myseal_stub_eeprom(void)
{
	if (!initialised) {
		myseal_stub_eeprom_erase();
	}
	return image;
}

uint32_t myseal_stub_eeprom_writes(void)
{
	return writes;
}

void myseal_stub_eeprom_erase(void)
{
	memset(image, 0xff, sizeof image);
	writes = 0;
	initialised = true;
}

void eeprom_read_block(void *dst, const void *src, size_t n)
{
	memcpy(dst, myseal_stub_eeprom() + offset_of(src, n), n);
}

void eeprom_write_block(const void *src, void *dst, size_t n)
{
	size_t at = offset_of(dst, n);
	(void)myseal_stub_eeprom();
	for (size_t i = 0; i < n; i++) {
		store(at + i, ((const uint8_t *)src)[i]);
	}
}

bool myseal_stub_eeprom_first_to_last;

void eeprom_update_block(const void *src, void *dst, size_t n)
{
	size_t at = offset_of(dst, n);
	const uint8_t *p = myseal_stub_eeprom() + at;
	const uint8_t *s = (const uint8_t *)src;
	for (size_t k = 0; k < n; k++) {
		// avr-libc's goes from the last byte to the first.
		const size_t i = myseal_stub_eeprom_first_to_last ? k : n - 1 - k;
		if (p[i] != s[i]) {
			store(at + i, s[i]);
		}
	}
}

uint8_t eeprom_read_byte(const uint8_t *addr)
{
	uint8_t v;
	eeprom_read_block(&v, addr, 1);
	return v;
}

uint16_t eeprom_read_word(const uint16_t *addr)
{
	uint8_t b[2];
	eeprom_read_block(b, addr, 2);
	return (uint16_t)(b[0] | (b[1] << 8));  // little-endian, as on the AVR
}

uint32_t eeprom_read_dword(const uint32_t *addr)
{
	uint8_t b[4];
	eeprom_read_block(b, addr, 4);
	return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}

void eeprom_write_byte(uint8_t *addr, uint8_t value)
{
	eeprom_write_block(&value, addr, 1);
}

void eeprom_write_word(uint16_t *addr, uint16_t value)
{
	uint8_t b[2] = { (uint8_t)value, (uint8_t)(value >> 8) };
	eeprom_write_block(b, addr, 2);
}

void eeprom_write_dword(uint32_t *addr, uint32_t value)
{
	uint8_t b[4] = { (uint8_t)value, (uint8_t)(value >> 8), (uint8_t)(value >> 16),
	                 (uint8_t)(value >> 24) };
	eeprom_write_block(b, addr, 4);
}

void eeprom_update_byte(uint8_t *addr, uint8_t value)
{
	eeprom_update_block(&value, addr, 1);
}

void eeprom_update_word(uint16_t *addr, uint16_t value)
{
	uint8_t b[2] = { (uint8_t)value, (uint8_t)(value >> 8) };
	eeprom_update_block(b, addr, 2);
}

void eeprom_update_dword(uint32_t *addr, uint32_t value)
{
	uint8_t b[4] = { (uint8_t)value, (uint8_t)(value >> 8), (uint8_t)(value >> 16),
	                 (uint8_t)(value >> 24) };
	eeprom_update_block(b, addr, 4);
}
