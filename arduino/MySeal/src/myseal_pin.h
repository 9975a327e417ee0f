/*
 * MySeal: PINs, 4 to 8 decimal digits, travel and are stored as 4 bytes of packed BCD: digits high
 * nibble first, padded with F ("1234" is 12 34 FF FF). Every PIN takes 4 bytes, so neither a frame
 * nor the EEPROM shows its length, and the node compares 4 bytes in constant time.
 *
 * MYSEAL_PIN("1234") turns a sketch's first-boot PIN into its 4 bytes (as a big-endian uint32_t)
 * while compiling: no code on the node, and a PIN that is not 4 to 8 digits does not compile
 * ("call to non-constexpr function myseal_pin_must_be_4_to_8_digits").
 */
#ifndef MYSEAL_PIN_H
#define MYSEAL_PIN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* true when p holds 4 to 8 digits, then only F nibbles (docs/protocol.md 8.1); else BAD_PIN. */
bool myseal_pin_well_formed(const uint8_t p[4]);

#ifdef __cplusplus
}

/* Not constexpr on purpose: reaching it while compiling MYSEAL_PIN() is the error message. */
uint32_t myseal_pin_must_be_4_to_8_digits(void);

constexpr uint32_t myseal_pin_nibble(const char *s, unsigned i, unsigned n)
{
	return i < n ? (uint32_t)(s[i] - '0') : 0xFu;
}

constexpr uint32_t myseal_pin_pack(const char *s, unsigned i, unsigned n)
{
	return i == 8 ? 0u : ((myseal_pin_nibble(s, i, n) << (28 - 4 * i)) | myseal_pin_pack(s, i + 1, n));
}

constexpr unsigned myseal_pin_digits(const char *s, unsigned i)
{
	return (s[i] >= '0' && s[i] <= '9') ? myseal_pin_digits(s, i + 1) : i;
}

constexpr uint32_t myseal_pin_bcd(const char *s)
{
	return (myseal_pin_digits(s, 0) >= 4 && myseal_pin_digits(s, 0) <= 8 &&
	        s[myseal_pin_digits(s, 0)] == '\0')
	           ? myseal_pin_pack(s, 0, myseal_pin_digits(s, 0))
	           : myseal_pin_must_be_4_to_8_digits();
}

/* Forces evaluation while compiling (C++11 has no consteval). */
template <uint32_t V> struct myseal_pin_constant {
	static const uint32_t value = V;
};

#define MYSEAL_PIN(digits) (myseal_pin_constant<myseal_pin_bcd(digits)>::value)

#endif /* __cplusplus */

#endif /* MYSEAL_PIN_H */
