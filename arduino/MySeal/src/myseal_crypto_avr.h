/*
 * MySeal: which AES block function and CCM core a build uses. Private to the library.
 *
 * On the classic AVR cores (ATmega328P, 1284P, 2560: MOVW, LPM Rd,Z, the registers in the data
 * space) they are assembly (myseal_crypto_avr.S); everywhere else, and on AVR with MYSEAL_CRYPTO_C
 * defined (the tests do, to hold the C to the same vectors on the chip), the C of
 * myseal_aes128.cpp and myseal_ccm.cpp runs. Why, measured with avr-gcc 5.4 -Os on the 328P: a
 * block takes the assembly 5 500 cycles, the C 16 700 (the loops of myseal_aes128.cpp; with its
 * rounds written out 6 900, in 1 270 bytes), and opening a frame (four blocks) must stay under
 * 24 000 cycles; AES and CCM take 1 064 bytes in assembly (the CCM core shares the cipher's frame),
 * 1 220 in C.
 */
#ifndef MYSEAL_CRYPTO_AVR_H
#define MYSEAL_CRYPTO_AVR_H

#if defined(__AVR__) && !defined(MYSEAL_CRYPTO_C) && !defined(__AVR_XMEGA__) && \
    !defined(__AVR_TINY__) && defined(__AVR_HAVE_MOVW__) && defined(__AVR_HAVE_LPMX__)
#define MYSEAL_CRYPTO_AVR 1
#else
#define MYSEAL_CRYPTO_AVR 0
#endif

#endif /* MYSEAL_CRYPTO_AVR_H */
