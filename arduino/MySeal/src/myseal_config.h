/*
 * MySeal: build switches, private to the library.
 *
 * On AVR the node, the cipher and CCM are hand-written assembly (myseal_avr.S): avr-gcc 5.4 makes
 * of the C about 1.7 times the flash (5 412 bytes against 3 262 for a lock node) and a slower
 * cipher. Everywhere else (the host tests, the fuzzer, ARM or ESP nodes) the portable C versions
 * run. Define MYSEAL_C_ONLY to build the C versions on AVR as well (the tests do, to check them on
 * the 8-bit target too). MYSEAL_EEPROM_LIBC: the assembly node reaches EEPROM through avr-libc's
 * eeprom_read_byte() and eeprom_update_byte() instead of the registers (tests replace those).
 */
#ifndef MYSEAL_CONFIG_H
#define MYSEAL_CONFIG_H

/*
 * The assembly needs a classic AVR core: 32 registers mapped into the data space (it loops over
 * registers through a pointer), MOVW and LPM Rd,Z. The ATmega328P, 1284P and 2560 qualify;
 * XMEGA, AVRxt (ATmega4809) and reduced cores get the C versions.
 */
#if defined(__AVR__) && !defined(MYSEAL_C_ONLY) && !defined(__AVR_XMEGA__) && \
    !defined(__AVR_TINY__) && defined(__AVR_HAVE_MOVW__) && defined(__AVR_HAVE_LPMX__)
#define MYSEAL_AVR_ASM 1
#else
#define MYSEAL_AVR_ASM 0
#endif

#endif /* MYSEAL_CONFIG_H */
