/*
 * MySeal: AES-128 and the CCM core in assembly, for the classic AVR cores (ATmega328P, 1284P,
 * 2560): the twins of myseal_aes128.cpp and myseal_ccm.cpp, the same steps in the same order, held
 * to the same FIPS-197 and RFC 3610 / SP 800-38C vectors (the on-chip self-test runs both; the
 * host runs the C). myseal_crypto_avr.h says when they are used, and why: a block in 5 500 cycles
 * through its C entry, where the C takes 16 700, and opening a frame must stay under 24 000 cycles;
 * the CCM core shares the cipher's frame, and the two take 1 064 bytes, the C 1 220.
 *
 * Entries (avr-gcc's calling convention; myseal_aes128.h, myseal_ccm.h, myseal_ccm_internal.h):
 *   myseal_aes128_encrypt, myseal_ccm_seal, myseal_ccm_open, myseal_ccm_seal_mac,
 *   myseal_ccm_open_mac.
 *
 * The frame. Every entry runs `enter`, which saves r2-r17 and Y and gives the entry a stack frame
 * that Y points at until `leave`: the variables below, the cipher's round key and the CCM blocks.
 * Everything in between may clobber every register but Y and r1 (zero). `leave` wipes the key
 * material (round key, blocks) before the frame is given back. Loops walk registers through the
 * register file's data addresses (0-31), which the classic cores have.
 */
#include "myseal_crypto_avr.h"

#if MYSEAL_CRYPTO_AVR

#include <avr/io.h>

/* Frame offsets (from Y). Variables first: LDD/STD reach 0-63. */
#define V_KEY 0      /* 2  the key, for the cipher */
#define V_NONCE 2    /* 2  CCM nonce (13 bytes, the caller's) */
#define V_IN 4       /* 2  CCM input */
#define V_OUT 6      /* 2  CCM output (advances) */
#define V_TAG 8      /* 2  CCM tag */
#define V_LEN 10     /* 1  CCM length */
#define V_LEFT 11    /* 1  CCM bytes left */
#define V_CTR 12     /* 1  CCM counter block number */
#define V_MODE 13    /* 1  CCM mode: bit 0 opening, bit 1 MAC given */
#define F_RK 14      /* 16 AES round key */
#define F_MAC 30     /* 16 CCM: CBC-MAC */
#define F_KS 46      /* 16 CCM: keystream (A_i encrypted) */
#define F_SAVE 62    /* 16 r2-r17 of the caller */
#define FRAME 78
#define WIPE_FROM F_RK
#define WIPE_BYTES (F_SAVE - F_RK)

#define MODE_OPEN 1
#define MODE_MAC_GIVEN 2

#if defined(__AVR_HAVE_JMP_CALL__)
#define XCALL call
#define XJMP jmp
#else
#define XCALL rcall
#define XJMP rjmp
#endif

	.section .text.myseal_crypto, "ax", @progbits

/* ---- frame ------------------------------------------------------------------------------ */

/*
 * called first thing by every entry, with X = the key the cipher is to use: saves Y, allocates
 * the frame, saves r2-r17 into it and returns with Y = the frame. Leaves r1-r25 (the arguments)
 * as they were; uses r0, r26-r31.
 */
enter:
	pop r31
	pop r30                      /* where to go on */
	push r28
	push r29
	in r28, _SFR_IO_ADDR(SPL)
	in r29, _SFR_IO_ADDR(SPH)
	subi r28, lo8(FRAME)
	sbci r29, hi8(FRAME)
	in r0, _SFR_IO_ADDR(SREG)
	cli
	out _SFR_IO_ADDR(SPH), r29
	out _SFR_IO_ADDR(SREG), r0
	out _SFR_IO_ADDR(SPL), r28
	adiw r28, 1
	std Y+V_KEY, r26             /* the key the cipher will use */
	std Y+V_KEY+1, r27
	push r30                     /* below the frame, for the RET at the end */
	push r31
	movw r30, r28
	subi r30, lo8(-(F_SAVE))
	sbci r31, hi8(-(F_SAVE))
	ldi r26, 2
	clr r27
1:	ld r0, X+                    /* the register file is at data addresses 0-31 */
	st Z+, r0
	cpi r26, 18
	brne 1b
	ret

/*
 * jumped to by every entry at its end, with its result in r24: wipes the key material,
 * restores r2-r17, gives the frame back, restores Y and returns to the entry's caller.
 */
leave:
	movw r26, r28
	adiw r26, WIPE_FROM
	ldi r30, WIPE_BYTES
1:	st X+, r1
	dec r30
	brne 1b
	ldi r30, 2                   /* X = the saved registers (F_SAVE follows the wiped bytes) */
	clr r31
2:	ld r0, X+
	st Z+, r0
	cpi r30, 18
	brne 2b
	subi r28, lo8(-(FRAME - 1))
	sbci r29, hi8(-(FRAME - 1))
	in r0, _SFR_IO_ADDR(SREG)
	cli
	out _SFR_IO_ADDR(SPH), r29
	out _SFR_IO_ADDR(SREG), r0
	out _SFR_IO_ADDR(SPL), r28
	pop r29
	pop r28
	ret

/* ---- AES-128 ------------------------------------------------------------------------------ */

/*
 * Encrypts the 16 bytes at X in place under the key at V_KEY. Same steps as myseal_aes128.cpp.
 *
 *   r8-r23   the state, column by column (byte 4c+r in r(8+4c+r))
 *   r4-r7    the next round key's first word while it is made
 *   Y        moved to F_RK for the cipher: the round key, advanced one key-schedule step per
 *            round (no 176-byte schedule anywhere)
 *   r2:r3    the block; r24 rcon; r25 column count; r26, r27, r30, r31 scratch; T: last round
 *
 * Each round: ShiftRows (register moves), the new key word, then per column: SubBytes, MixColumns
 * (not in the last round), the next round-key word and AddRoundKey, and the state turns by one
 * column so the next one is in r8-r11. The same instructions run for every key and block: the
 * only secret-dependent addresses are LPM reads (3 cycles on every address, no cache), and
 * MixColumns doubles with a mask made by SBC, not a branch. Clobbers all but Y and r1.
 */
aes_x:
	movw r2, r26
	ldd r30, Y+V_KEY
	ldd r31, Y+V_KEY+1
	adiw r28, F_RK
	movw r26, r28
	ldi r25, 16
1:	ld r0, Z+                    /* round key 0 = the key */
	st X+, r0
	dec r25
	brne 1b
	movw r30, r2
	ldi r26, 8
	clr r27
2:	ld r0, Z+                    /* state = block ^ round key 0 */
	ld r25, Y+
	eor r0, r25
	st X+, r0
	cpi r26, 24
	brne 2b
	sbiw r28, 16
	ldi r24, 0x01
	clt

.Lround:
	/* ShiftRows: row r turns r columns left. */
	mov r0, r9
	mov r9, r13
	mov r13, r17
	mov r17, r21
	mov r21, r0
	mov r0, r10
	mov r10, r18
	mov r18, r0
	mov r0, r14
	mov r14, r22
	mov r22, r0
	mov r0, r23
	mov r23, r19
	mov r19, r15
	mov r15, r11
	mov r11, r0

	/* Key schedule: W = SubWord(RotWord(last word)) ^ rcon. */
	ldi r26, lo8(myseal_aes128_sbox)
	ldi r27, hi8(myseal_aes128_sbox)
	ldd r0, Y+13
	movw r30, r26
	add r30, r0
	adc r31, r1
	lpm r4, Z
	ldd r0, Y+14
	movw r30, r26
	add r30, r0
	adc r31, r1
	lpm r5, Z
	ldd r0, Y+15
	movw r30, r26
	add r30, r0
	adc r31, r1
	lpm r6, Z
	ldd r0, Y+12
	movw r30, r26
	add r30, r0
	adc r31, r1
	lpm r7, Z
	eor r4, r24
	cpi r24, 0x36                /* rcon of round 10: no MixColumns */
	brne 3f
	set
3:	ldi r25, 4

.Lcolumn:
	/* SubBytes on this column. */
	ldi r26, lo8(myseal_aes128_sbox)
	ldi r27, hi8(myseal_aes128_sbox)
	movw r30, r26
	add r30, r8
	adc r31, r1
	lpm r8, Z
	movw r30, r26
	add r30, r9
	adc r31, r1
	lpm r9, Z
	movw r30, r26
	add r30, r10
	adc r31, r1
	lpm r10, Z
	movw r30, r26
	add r30, r11
	adc r31, r1
	lpm r11, Z
	brts .Laddkey

	/* MixColumns: a_i ^= t ^ 2*(a_i ^ a_(i+1)), t = a0^a1^a2^a3; r30 t, r31 u, r26 a0. */
	mov r30, r8
	eor r30, r9
	eor r30, r10
	eor r30, r11
	mov r26, r8
	mov r31, r8
	eor r31, r9
	lsl r31
	sbc r27, r27
	andi r27, 0x1b
	eor r31, r27
	eor r8, r31
	eor r8, r30
	mov r31, r9
	eor r31, r10
	lsl r31
	sbc r27, r27
	andi r27, 0x1b
	eor r31, r27
	eor r9, r31
	eor r9, r30
	mov r31, r10
	eor r31, r11
	lsl r31
	sbc r27, r27
	andi r27, 0x1b
	eor r31, r27
	eor r10, r31
	eor r10, r30
	mov r31, r11
	eor r31, r26
	lsl r31
	sbc r27, r27
	andi r27, 0x1b
	eor r31, r27
	eor r11, r31
	eor r11, r30

.Laddkey:
	/* Next round-key word (k_i ^= the word before) and AddRoundKey on this column. */
	ld r0, Y
	eor r4, r0
	st Y+, r4
	eor r8, r4
	ld r0, Y
	eor r5, r0
	st Y+, r5
	eor r9, r5
	ld r0, Y
	eor r6, r0
	st Y+, r6
	eor r10, r6
	ld r0, Y
	eor r7, r0
	st Y+, r7
	eor r11, r7
	/* The state turns by one column: r8-r11 <- r12-r15 <- ... <- r20-r23 <- r8-r11. */
	movw r26, r8
	movw r30, r10
	movw r8, r12
	movw r10, r14
	movw r12, r16
	movw r14, r18
	movw r16, r20
	movw r18, r22
	movw r20, r26
	movw r22, r30
	dec r25
	breq 5f
	rjmp .Lcolumn
5:	sbiw r28, 16
	brts .Lrounds_done
	lsl r24                      /* rcon *= 2 in GF(2^8) (public: may branch) */
	brcc 6f
	ldi r24, 0x1b
6:	rjmp .Lround

.Lrounds_done:
	sbiw r28, F_RK
	movw r30, r2
	ldi r26, 8
	clr r27
4:	ld r0, X+                    /* the block = the state */
	st Z+, r0
	cpi r26, 24
	brne 4b
	ret

/* ---- CCM ---------------------------------------------------------------------------------- */

/*
 * AES-128-CCM, M = 8, L = 2 (RFC 3610), as myseal_ccm.cpp: nonce at V_NONCE, key at V_KEY,
 * V_IN/V_LEN the input, V_OUT the output (may be the input), V_TAG the tag (written when
 * sealing, compared when opening), V_MODE. One pass over the data, a block at a time:
 *   MAC = E(B0) (or the MAC given, after associated data)
 *   for each block i: S_i = E(A_i); out = in ^ S_i; MAC ^= the plaintext; MAC = E(MAC)
 *   S0 = E(A0); sealing: tag = (MAC ^ S0)[0..8]; opening: compared in constant time, and the
 *   plaintext zeroed (the same instructions either way) unless it matched.
 * Returns r24 = 1 when sealing or when the tag matched, else 0.
 */
ccm:
	ldd r30, Y+V_IN              /* out = in first: then everything happens in out */
	ldd r31, Y+V_IN+1
	ldd r26, Y+V_OUT
	ldd r27, Y+V_OUT+1
	ldd r25, Y+V_LEN
	std Y+V_LEFT, r25
	tst r25
	breq 2f
	rcall copy
2:	std Y+V_CTR, r1
	ldd r24, Y+V_MODE
	sbrc r24, 1
	rjmp .Lccm_block
	ldi r24, 0x19                /* B0: flags (M = 8, L = 2), nonce, length */
	ldd r22, Y+V_LEN
	rcall mac_block

.Lccm_block:
	ldd r25, Y+V_LEFT
	tst r25
	breq .Lccm_tag
	ldd r22, Y+V_CTR
	inc r22
	std Y+V_CTR, r22
	ldi r24, 0x01                /* A_i */
	rcall ks_block
	ldd r25, Y+V_LEFT
	ldi r24, 16
	cp r25, r24
	brlo 3f
	mov r25, r24
3:	ldd r24, Y+V_LEFT
	sub r24, r25
	std Y+V_LEFT, r24
	ldd r26, Y+V_OUT
	ldd r27, Y+V_OUT+1
	movw r30, r28
	adiw r30, F_MAC
	ldd r19, Y+V_MODE
4:	ld r22, X                    /* in */
	ldd r23, Z+(F_KS - F_MAC)
	eor r23, r22                 /* out = in ^ S_i */
	st X+, r23
	sbrc r19, 0
	mov r22, r23                 /* opening: the MAC is over the plaintext, out */
	ld r0, Z
	eor r0, r22
	st Z+, r0
	dec r25
	brne 4b
	std Y+V_OUT, r26
	std Y+V_OUT+1, r27
	movw r26, r28
	adiw r26, F_MAC
	rcall aes_x
	rjmp .Lccm_block

.Lccm_tag:
	clr r22                      /* S0 = E(A0) */
	ldi r24, 0x01
	rcall ks_block
	ldd r26, Y+V_TAG
	ldd r27, Y+V_TAG+1
	movw r30, r28
	adiw r30, F_MAC
	ldd r19, Y+V_MODE
	ldi r25, 8
	clr r23
5:	ld r24, Z+
	ldd r0, Z+(F_KS - F_MAC - 1)
	eor r24, r0                  /* MAC ^ S0 */
	sbrs r19, 0
	st X, r24                    /* sealing: the tag (read back below: no difference) */
	ld r0, X+
	eor r24, r0
	or r23, r24
	dec r25
	brne 5b
	/* keep = 0xff when every byte matched (0 - 1 borrows), else 0; out &= keep. */
	subi r23, 1
	sbc r23, r23
	ldd r26, Y+V_OUT
	ldd r27, Y+V_OUT+1
	ldd r25, Y+V_LEN
	sub r26, r25
	sbc r27, r1
	tst r25
	breq 7f
6:	ld r0, X
	and r0, r23
	st X+, r0
	dec r25
	brne 6b
7:	mov r24, r23
	andi r24, 1
	ret

/* The block flags r24 | nonce | 00 | r22 at F_MAC (mac_block) or F_KS (ks_block), encrypted. */
mac_block:
	movw r26, r28
	adiw r26, F_MAC
	rjmp 1f
ks_block:
	movw r26, r28
	adiw r26, F_KS
1:	ldd r30, Y+V_NONCE
	ldd r31, Y+V_NONCE+1
	st X+, r24
	ldi r25, 13
2:	ld r0, Z+
	st X+, r0
	dec r25
	brne 2b
	st X+, r1
	st X, r22
	sbiw r26, 15
	rjmp aes_x

/* r25 bytes from Z to X. */
copy:
	ld r0, Z+
	st X+, r0
	dec r25
	brne copy
	ret

/* ---- entries for C ---------------------------------------------------------------------- */

	.global myseal_aes128_encrypt
	.type myseal_aes128_encrypt, @function
myseal_aes128_encrypt:
	/* r25:r24 key, r23:r22 block */
	movw r26, r24
	rcall enter
	movw r26, r22
	rcall aes_x
	rjmp leave
	.size myseal_aes128_encrypt, . - myseal_aes128_encrypt

	.global myseal_ccm_seal
	.type myseal_ccm_seal, @function
	.global myseal_ccm_open
	.type myseal_ccm_open, @function
/*
 * seal(key, nonce, pt, len, ct, tag), open(key, nonce, ct, len, tag, pt), and the same with a
 * last argument mac: the CBC-MAC after B0 and associated data (myseal_ccm_aad.cpp; in a section
 * of their own, which a node does not link).
 * r25:r24 key, r23:r22 nonce, r21:r20 in, r18 len, r17:r16 x, r15:r14 y, r13:r12 mac.
 */
myseal_ccm_open:
	ldi r19, MODE_OPEN
	rjmp ccm_entry
myseal_ccm_seal:
	ldi r19, 0
ccm_entry:
	movw r26, r24
	rcall enter
	std Y+V_MODE, r19
	std Y+V_NONCE, r22
	std Y+V_NONCE+1, r23
	std Y+V_IN, r20
	std Y+V_IN+1, r21
	std Y+V_LEN, r18
	sbrs r19, 0
	rjmp 2f
	movw r26, r16                /* opening: x is the tag, y the output */
	movw r16, r14
	movw r14, r26
2:	std Y+V_OUT, r16
	std Y+V_OUT+1, r17
	std Y+V_TAG, r14
	std Y+V_TAG+1, r15
	sbrs r19, 1
	rjmp 5f
	movw r26, r28                /* the MAC given */
	adiw r26, F_MAC
	movw r30, r12
	ldi r25, 16
	rcall copy
5:	rcall ccm
	rjmp leave
	.size myseal_ccm_seal, . - myseal_ccm_seal

	.section .text.myseal_ccm_mac, "ax", @progbits
	.global myseal_ccm_seal_mac
	.type myseal_ccm_seal_mac, @function
	.global myseal_ccm_open_mac
	.type myseal_ccm_open_mac, @function
myseal_ccm_open_mac:
	ldi r19, MODE_OPEN | MODE_MAC_GIVEN
	XJMP ccm_entry
myseal_ccm_seal_mac:
	ldi r19, MODE_MAC_GIVEN
	XJMP ccm_entry
	.size myseal_ccm_seal_mac, . - myseal_ccm_seal_mac

#endif /* MYSEAL_CRYPTO_AVR */

	/* No executable stack wherever this file is assembled (a Linux node links it too). */
	.section .note.GNU-stack,"",%progbits
