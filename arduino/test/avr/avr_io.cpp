/*
 * See avr_io.h.
 */
#include "avr_io.h"

#include <avr/interrupt.h>
#include <avr/sleep.h>

void avrio_init(void)
{
	UCSR0A = (1 << U2X0);
	UBRR0 = 1;  // 16 MHz / (8 * (1 + 1)) = 1 Mbaud
	UCSR0B = (1 << TXEN0) | (1 << RXEN0);
	UCSR0C = (1 << UCSZ01) | (1 << UCSZ00);  // 8N1
}

void avrio_putc(char c)
{
	while ((UCSR0A & (1 << UDRE0)) == 0) {
	}
	UDR0 = (uint8_t)c;
}

void avrio_puts_P(const char *flash_text)
{
	char c;
	while ((c = (char)pgm_read_byte(flash_text++)) != '\0') {
		avrio_putc(c);
	}
}

void avrio_put_u32(uint32_t value)
{
	char digits[10];
	uint8_t n = 0;
	do {
		digits[n++] = (char)('0' + value % 10);
		value /= 10;
	} while (value != 0);
	while (n != 0) {
		avrio_putc(digits[--n]);
	}
}

void avrio_put_hex(const uint8_t *bytes, uint8_t n)
{
	static const char hex[] PROGMEM = "0123456789ABCDEF";
	for (uint8_t i = 0; i < n; i++) {
		avrio_putc((char)pgm_read_byte(&hex[bytes[i] >> 4]));
		avrio_putc((char)pgm_read_byte(&hex[bytes[i] & 0x0f]));
	}
}

int avrio_getc(void)
{
	while ((UCSR0A & (1 << RXC0)) == 0) {
	}
	return UDR0;
}

void avrio_exit(uint8_t status)
{
	while ((UCSR0A & (1 << UDRE0)) == 0) {  // let the last byte leave the data register
	}
	GPIOR1 = status;  // myseal-sim stops here
	cli();
	sleep_enable();
	for (;;) {
		sleep_cpu();
	}
}
