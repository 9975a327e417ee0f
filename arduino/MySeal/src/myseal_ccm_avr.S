/*
 * MySeal: the AES-128-CCM core for AVR, assembly. Same steps, in the same order, as the C
 * version in myseal_ccm.cpp (used everywhere else, and on AVR with MYSEAL_C_ONLY):
 *
 *   void myseal_ccm_seal(key, nonce, pt, len, ct, tag)        entry: sealing, no assoc. data
 *   bool myseal_ccm_open(key, nonce, ct, len, tag, pt)        entry: opening, no assoc. data
 *   bool myseal_ccm_core(key, nonce, in, len, x, y, aad, aad_len, opening)
 *                                                             entry: for myseal_ccm_aad.cpp
 *
 * (x, y) are the last two arguments of seal or open in their order: (ct, tag) or (tag, pt).
 * One body serves all three, so a node carries one copy of the mode.
 *
 *   S0 = E(A0), its first 8 bytes kept;
 *   sealing: MAC = CBC-MAC(B0, [aad], pt); tag = MAC ^ S0; ct = pt ^ S1 S2 ...
 *   opening: pt = ct ^ S1 S2 ...; MAC as above over pt; compare with tag ^ S0 in constant time;
 *            on a mismatch pt is zeroed (the same instructions run either way).
 *
 * Registers kept across cipher calls (the cipher preserves r2-r17 and Y):
 *   r2:r3 key   r4:r5 nonce   r6:r7 in (advanced by the counter mode)   r8 bit 0 opening,
 *   bit 1 "MAC is on the plaintext part"   r9 len   r10 bytes left   r11 offset or counter
 *   r12:r13 associated data, then the MAC cursor   r14:r15 y   r16:r17 x   Y frame pointer
 * Frame (25 bytes, Y points at its start): work block at Y+0..15, S0 at Y+16..23, aad_len at
 * Y+24; wiped at the end.
 * Stack: 2 (return) + 18 (saved) + 25 (frame) + the cipher's 20 = 65 bytes at the deepest.
 */
#include "myseal_config.h"
#if MYSEAL_AVR_ASM

#include <avr/io.h>

/* First bytes of A_i and B0 (RFC 3610 2.2, 2.3), as in myseal_ccm_internal.h (C only there). */
#define FLAGS_CTR 0x01
#define FLAGS_B0 0x19
#define FLAGS_ADATA 0x40
#define FRAME 25

#if defined(__AVR_HAVE_JMP_CALL__)
#define XJMP jmp
#else
#define XJMP rjmp
#endif

	.section .text.myseal_ccm_core, "ax", @progbits

	.global myseal_ccm_core
	.type myseal_ccm_core, @function
	.global myseal_ccm_open
	.type myseal_ccm_open, @function
	.global myseal_ccm_seal
	.type myseal_ccm_seal, @function

myseal_ccm_core:
	/* r25:r24 key, r23:r22 nonce, r21:r20 in, r18 len, r17:r16 x, r15:r14 y,
	   r13:r12 aad, r10 aad_len, r8 opening */
	mov r19, r10
	movw r26, r12
	bst r8, 0
	rjmp .Lsaved_args
myseal_ccm_open:
	set
	rjmp .Lno_aad
myseal_ccm_seal:
	clt
.Lno_aad:
	clr r19
	clr r26
	clr r27
.Lsaved_args:
	/* From here: T = opening, r19 = aad_len, r27:r26 = aad. */
	push r2
	push r3
	push r4
	push r5
	push r6
	push r7
	push r8
	push r9
	push r10
	push r11
	push r12
	push r13
	push r14
	push r15
	push r16
	push r17
	push r28
	push r29
	in r28, _SFR_IO_ADDR(SPL)
	in r29, _SFR_IO_ADDR(SPH)
	sbiw r28, FRAME
	in r0, _SFR_IO_ADDR(SREG)
	cli
	out _SFR_IO_ADDR(SPH), r29
	out _SFR_IO_ADDR(SREG), r0
	out _SFR_IO_ADDR(SPL), r28
	adiw r28, 1                  /* Y = the frame's first byte */

	movw r2, r24
	movw r4, r22
	movw r6, r20
	mov r9, r18
	clr r8
	bld r8, 0
	movw r12, r26
	std Y+24, r19

	/* S0 = E(A0); keep its first 8 bytes at Y+16. */
	ldi r24, FLAGS_CTR
	ldi r22, 0
	rcall .Lencrypt_block
	movw r30, r28
	ldi r25, 8
1:	ld r0, Z+
	std Z+15, r0
	dec r25
	brne 1b
	sbrc r8, 0
	rjmp .Lctr                   /* opening: the MAC is over the plaintext, decrypt first */

.Lmac:
	/* CBC-MAC. E(B0): flags (with Adata when there is associated data), nonce, length. */
	ldd r10, Y+24
	ldi r24, FLAGS_B0
	tst r10
	breq 2f
	ori r24, FLAGS_ADATA
2:	mov r22, r9
	rcall .Lencrypt_block
	/* First part: the associated data, after its 2-byte length (work[0] ^= 0, work[1] ^= len). */
	ldd r0, Y+1
	eor r0, r10
	std Y+1, r0
	ldi r25, 2
	mov r11, r25
.Lmac_part:
	/* XOR r10 bytes from r13:r12 into the work block from offset r11, encrypting after each
	   full block and after a partial last one (zero padding changes nothing). */
	tst r10
	breq .Lmac_part_done
	movw r26, r28
	add r26, r11
	adc r27, r1                  /* X = work + offset */
	movw r30, r12                /* Z = data */
	ldi r25, 16
	sub r25, r11                 /* room left in the block */
	cp r10, r25
	brsh 3f
	mov r25, r10
3:	sub r10, r25
4:	ld r24, Z+
	ld r0, X
	eor r0, r24
	st X+, r0
	dec r25
	brne 4b
	movw r12, r30
	rcall .Lencrypt_work
	clr r11
	rjmp .Lmac_part
.Lmac_part_done:
	sbrc r8, 1
	rjmp .Lmac_done
	/* Second part: the plaintext, from a block boundary: pt is in (sealing) or y (opening). */
	inc r8
	inc r8                       /* bit 1: now on the plaintext */
	clr r11
	mov r10, r9
	movw r12, r6
	sbrc r8, 0
	movw r12, r14
	rjmp .Lmac_part
.Lmac_done:
	sbrc r8, 0
	rjmp .Lcompare

	/* Sealing: tag (y) = MAC ^ S0. */
	movw r30, r28
	movw r26, r14
	ldi r25, 8
5:	ld r24, Z+
	ldd r0, Z+15
	eor r24, r0
	st X+, r24
	dec r25
	brne 5b

.Lctr:
	/* Counter mode from A1: out = in ^ S1 S2 ...; out is x (sealing) or y (opening). */
	mov r10, r9
	clr r11
6:	tst r10
	breq .Lctr_done
	inc r11
	ldi r24, FLAGS_CTR
	mov r22, r11
	rcall .Lencrypt_block
	ldi r25, 16
	cp r10, r25
	brsh 7f
	mov r25, r10
7:	sub r10, r25
	movw r26, r28                /* X = keystream */
	movw r30, r6                 /* Z = in */
	push r28
	push r29
	movw r28, r16
	sbrc r8, 0
	movw r28, r14                /* Y = out */
8:	ld r24, Z+
	ld r0, X+
	eor r24, r0
	st Y+, r24
	dec r25
	brne 8b
	movw r6, r30
	sbrs r8, 0
	movw r16, r28
	sbrc r8, 0
	movw r14, r28
	pop r29
	pop r28
	rjmp 6b
.Lctr_done:
	ldi r24, 1                   /* sealing: done, true */
	sbrs r8, 0
	rjmp .Lfinish
	sub r14, r9                  /* opening: back to the start of pt, then the MAC */
	sbc r15, r1
	rjmp .Lmac

.Lcompare:
	/* diff = OR over i < 8 of MAC[i] ^ S0[i] ^ tag[i] (tag = x); no early exit. */
	movw r30, r28
	movw r26, r16
	ldi r25, 8
	clr r23
9:	ld r24, Z+
	ldd r0, Z+15
	eor r24, r0
	ld r0, X+
	eor r24, r0
	or r23, r24
	dec r25
	brne 9b
	/* keep = 0xff when diff is 0 (diff - 1 borrows), else 0x00; pt (y) &= keep. */
	subi r23, 1
	sbc r24, r24
	movw r26, r14
	mov r25, r9
	tst r25
	breq 11f
10:	ld r0, X
	and r0, r24
	st X+, r0
	dec r25
	brne 10b
11:	andi r24, 1                  /* true when the tag matched */

.Lfinish:
	/* Wipe the frame (MAC or keystream, S0), give it back, restore, return r24. */
	movw r26, r28
	ldi r25, FRAME
12:	st X+, r1
	dec r25
	brne 12b
	adiw r28, FRAME - 1
	in r0, _SFR_IO_ADDR(SREG)
	cli
	out _SFR_IO_ADDR(SPH), r29
	out _SFR_IO_ADDR(SREG), r0
	out _SFR_IO_ADDR(SPL), r28
	pop r29
	pop r28
	pop r17
	pop r16
	pop r15
	pop r14
	pop r13
	pop r12
	pop r11
	pop r10
	pop r9
	pop r8
	pop r7
	pop r6
	pop r5
	pop r4
	pop r3
	pop r2
	ret

/* work = E(flags r24 | nonce | 0x00 | low r22). Ends in the cipher, which returns for us. */
.Lencrypt_block:
	movw r26, r28
	st X+, r24
	movw r30, r4
	ldi r25, 13
13:	ld r0, Z+
	st X+, r0
	dec r25
	brne 13b
	st X+, r1
	st X, r22
.Lencrypt_work:
	movw r24, r2
	movw r22, r28                /* the work block */
	XJMP myseal_aes128_encrypt

	.size myseal_ccm_core, . - myseal_ccm_core

#endif
