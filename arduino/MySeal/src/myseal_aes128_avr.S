/*
 * MySeal: AES-128 encryption for AVR (ATmega328P and the other classic cores), assembly.
 *
 * Same function and result as the C version in myseal_aes128.cpp (which the host uses and
 * which replaces this file on AVR when MYSEAL_C_ONLY is defined, see myseal_config.h):
 *
 *   void myseal_aes128_encrypt(const uint8_t key[16], uint8_t block[16]);
 *
 * Layout of the work:
 *   r2-r17   the 16 state bytes (FIPS-197 order s0..s15, see "layouts" below); loading and
 *            storing them goes through the register file's data-space mapping (classic AVR
 *            cores only, see myseal_config.h)
 *   Y        the caller's block, which holds the round key while the state is in registers:
 *            it is advanced one key-schedule step per round (no 176-byte schedule anywhere) and
 *            overwritten by the result at the end, so no key material is left behind in RAM
 *   Z        the key at the start, then S-box reads from flash (LPM)
 *   r0       scratch; r18-r21 MixColumns scratch (r18:r19 also the S-box address);
 *   r22-r25  the previous round-key word while the next one is made; r26 rcon; r27 counter
 *
 * Stack: the 18 saved registers and the return address, 20 bytes. No static data besides the
 * S-box in flash.
 *
 * Timing: the same instructions run for every key and block; the only secret-dependent
 * addresses are LPM reads, 3 cycles each on every address, and there is no cache. Branches
 * depend on the round number only. (MixColumns doubles with a mask made by SBC, not a branch.)
 * Leftovers: the last round key is overwritten by the result; the scratch registers that held
 * key bytes are cleared.
 *
 * Layouts. MixColumns runs as a loop over the columns: it works on r2-r5 and then rotates the
 * state by four registers, three times. A round therefore ends with column c in registers
 * 2 + 4*((c + 1) mod 4) ... ("layout L"), and SubBytes/ShiftRows of the next round reads layout L
 * and writes the plain layout (column c in 2 + 4c ...). With that, the rotation back is free: it
 * is folded into the ShiftRows permutation. Loading and storing the block also use layout L.
 */
#include "myseal_config.h"
#if MYSEAL_AVR_ASM

#include <avr/io.h>

#define ZERO r1
#define X0 r0
#define T r18
#define U r19
#define C r20
#define M r21
#define BASE_LO r18
#define BASE_HI r19
#define W0 r22
#define W1 r23
#define W2 r24
#define W3 r25
#define RCON r26
#define COUNT r27

	.section .text.myseal_aes128_encrypt, "ax", @progbits

/* dst = S-box[src]; needs BASE_LO:BASE_HI = address of the S-box. 6 cycles. */
.macro SBOX dst, src
	movw r30, BASE_LO
	add r30, \src
	adc r31, ZERO
	lpm \dst, Z
.endm

/* x = 2*x in GF(2^8): shift, and XOR 0x1b when the top bit fell out. 4 cycles, no branch. */
.macro XTIME x
	lsl \x
	sbc M, M
	andi M, 0x1b
	eor \x, M
.endm

	.global myseal_aes128_encrypt
	.type myseal_aes128_encrypt, @function
myseal_aes128_encrypt:
	/* r25:r24 = key, r23:r22 = block (avr-gcc calling convention). */
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

	/*
	 * State = block ^ key (AddRoundKey 0), while the block becomes round key 0 (a copy of the
	 * key). The state goes through X into the register file, which classic AVR cores map at
	 * data addresses 0-31: bytes 0-15 land in r6-r21, then column 3 moves from r18-r21 to r2-r5,
	 * which makes layout L.
	 */
	movw r28, r22
	movw r30, r24
	ldi r26, 6
	clr r27
1:	ld X0, Z+
	ld r24, Y
	st Y+, X0
	eor r24, X0
	st X+, r24
	cpi r26, 22
	brne 1b
	movw r2, r18
	movw r4, r20
	sbiw r28, 16

	ldi RCON, 0x01
	clt                          /* T flag set = last round, no MixColumns */

.Lround:
	/*
	 * SubBytes + ShiftRows, layout L -> plain layout. Row r of new column c comes from old
	 * column c + r, which sits in register block (c + r + 1) mod 4: row 0 moves one block,
	 * row 1 two (two swaps), row 2 three, row 3 stays.
	 */
	ldi BASE_LO, lo8(myseal_aes128_sbox)
	ldi BASE_HI, hi8(myseal_aes128_sbox)
	mov X0, r2                   /* row 0 */
	SBOX r2, r6
	SBOX r6, r10
	SBOX r10, r14
	SBOX r14, X0
	mov X0, r3                   /* row 1 */
	SBOX r3, r11
	SBOX r11, X0
	mov X0, r7
	SBOX r7, r15
	SBOX r15, X0
	mov X0, r16                  /* row 2 */
	SBOX r16, r12
	SBOX r12, r8
	SBOX r8, r4
	SBOX r4, X0
	SBOX r5, r5                  /* row 3 */
	SBOX r9, r9
	SBOX r13, r13
	SBOX r17, r17

	/* Key schedule, first word: SubWord(RotWord(last word)) ^ rcon, into W0-W3. */
	ldd X0, Y+13
	SBOX W0, X0
	eor W0, RCON
	ldd X0, Y+14
	SBOX W1, X0
	ldd X0, Y+15
	SBOX W2, X0
	ldd X0, Y+12
	SBOX W3, X0

	cpi RCON, 0x36               /* rcon of round 10 */
	brne 2f
	set
2:
	ldi COUNT, 4
.Lcolumn:
	brts .Laddkey
	/* MixColumns on r2-r5: a_i ^= t ^ 2*(a_i ^ a_(i+1)), t = a0^a1^a2^a3. */
	mov T, r2
	eor T, r3
	eor T, r4
	eor T, r5
	mov C, r2
	mov U, r2
	eor U, r3
	XTIME U
	eor r2, U
	eor r2, T
	mov U, r3
	eor U, r4
	XTIME U
	eor r3, U
	eor r3, T
	mov U, r4
	eor U, r5
	XTIME U
	eor r4, U
	eor r4, T
	mov U, r5
	eor U, C
	XTIME U
	eor r5, U
	eor r5, T
.Laddkey:
	/* Next round-key word (k_i ^= previous word) and AddRoundKey of this column. */
	ld X0, Y
	eor W0, X0
	st Y+, W0
	eor r2, W0
	ld X0, Y
	eor W1, X0
	st Y+, W1
	eor r3, W1
	ld X0, Y
	eor W2, X0
	st Y+, W2
	eor r4, W2
	ld X0, Y
	eor W3, X0
	st Y+, W3
	eor r5, W3
	dec COUNT
	breq .Lcolumns_done
	/* Rotate the state by one column: r2-r5 <- r6-r9 <- ... <- r14-r17 <- r2-r5. */
	movw r18, r2
	movw r20, r4
	movw r2, r6
	movw r4, r8
	movw r6, r10
	movw r8, r12
	movw r10, r14
	movw r12, r16
	movw r14, r18
	movw r16, r20
	rjmp .Lcolumn
.Lcolumns_done:
	sbiw r28, 16
	brts .Lrounds_done
	lsl RCON                     /* next round constant: 2*rcon in GF(2^8) (public) */
	brcc 4f
	ldi RCON, 0x1b
4:	rjmp .Lround

.Lrounds_done:
	/* Store the state over the last round key: column 3 back next to the others, then
	   r6-r21 in block order through the register file. */
	movw r18, r2
	movw r20, r4
	ldi r26, 6
	clr r27
5:	ld X0, X+
	st Y+, X0
	cpi r26, 22
	brne 5b
	clr X0                       /* scratch registers that held key bytes */
	clr W0
	clr W1
	clr W2
	clr W3

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
	.size myseal_aes128_encrypt, . - myseal_aes128_encrypt

#endif
