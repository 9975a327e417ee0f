/*
 * MySeal: build switches, private to the library.
 *
 * On AVR the cipher and the CCM core are hand-written assembly (myseal_aes128_avr.S,
 * myseal_ccm_avr.S): avr-gcc 5.4 makes the C versions about twice as slow, three times as big and
 * half again as deep on the stack. Everywhere else (the host tests, the fuzzer, ARM or ESP nodes)
 * the portable C versions run. Define MYSEAL_C_ONLY to build the C versions on AVR as well (the
 * tests do, to check them on the 8-bit target too).
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
