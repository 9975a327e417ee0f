/*
 * MySeal on AVR (ATmega328P and the other classic cores), in assembly: AES-128, CCM and the
 * node of sealed frames v1. The portable C versions (myseal_aes128.cpp, myseal_ccm.cpp,
 * myseal_node.cpp) are the reference: this file follows them step by step, in the same order,
 * with the same state (struct myseal_state, its offsets checked in myseal_node.cpp), and the
 * same EEPROM writes byte for byte. Tests run the node test suites against both (the C on the
 * host, this on the simulated chip). See myseal_config.h for when it is used.
 *
 * Why assembly: avr-gcc 5.4 makes the C about three times this size, and a MySensors node has
 * little flash to spare.
 *
 * The frame. Every entry from C runs `enter`, which saves r2-r17 and Y and gives the entry a
 * stack frame that Y points at until `leave`: the variables below, the cipher's round key and
 * the CCM blocks. Everything in between may clobber every register but Y and r1 (zero).
 * `leave` wipes the key material (round key, blocks, nonce) before the frame is given back.
 */
#include "myseal_config.h"
#if MYSEAL_AVR_ASM

#include <avr/io.h>

#include "myseal_protocol.h"
#include "myseal_store.h"

/* Frame offsets (from Y). Variables first: LDD/STD reach 0-63. */
#define V_KEY 0      /* 2  the key, for the cipher */
#define V_IN 2       /* 2  CCM input */
#define V_OUT 4      /* 2  CCM output (advances) */
#define V_TAG 6      /* 2  CCM tag */
#define V_LEN 8      /* 1  CCM length */
#define V_LEFT 9     /* 1  CCM bytes left */
#define V_CTR 10     /* 1  CCM counter block number */
#define V_MODE 11    /* 1  CCM mode: bit 0 opening, bit 1 MAC given */
#define V_TMP 12     /* 6  the node's scratch */
#define F_RK 18      /* 16 AES round key */
#define F_MAC 34     /* 16 CCM: CBC-MAC */
#define F_NONCE 50   /* 13 CCM nonce */
#define F_KS 63      /* 16 CCM: keystream (A_i encrypted), a derivation block */
#define F_SAVE 79    /* 16 r2-r17 of the caller */
#define FRAME 95
#define WIPE_FROM F_RK
#define WIPE_BYTES (F_SAVE - F_RK)

/*
 * Registers the node keeps across the cipher (aes_x saves them): the frame received and its
 * length, the child it came on (or the child a frame goes out on), and the frame being built.
 */
#define FLEN r10
#define CHILD r11
#define FRAME_LO r12
#define FRAME_HI r13
#define IO_LO r14
#define IO_HI r15

/* struct myseal_state and struct myseal_settings (offsets checked in myseal_node.cpp). */
#define S_HOT_SEQ 0
#define S_LAST 1
#define S_RESERVED 5
#define S_ATTEMPTS 9
#define S_LEVEL 10
#define S_FLAGS 11
#define S_HOT_CHECK 12
#define S_HOT_SLOT 13
#define S_NEXT 14
#define S_DIRTY 18
#define S_VERDICT 19
#define S_CH_STATE 20
#define S_STALE 21
#define S_CHALLENGE 25
#define S_NOW 30
#define S_CH_TIME 34
#define S_UNLOCKED_AT 38
#define S_LOCKOUT_END 42
#define S_FINGERPRINT 46
#define S_KEY 50
#define S_PIN 66
#define C_NODE_ID 0
#define C_LOCK_CHILD 1
#define C_GUARDED 2
#define C_MAX_ATTEMPTS 4
#define C_BASE_MS 5
#define C_CAP_MS 9
#define C_WINDOW 13
#define C_RELOCK 15
#define C_EEPROM_BASE 17
#define ST(f) (myseal + (f))
#define CF(f) (myseal_settings + (f))

/*
 * The sketch's hooks (myseal_node.h), C++ functions: void mysealLockChanged(bool) and
 * bool mysealSet(uint8_t, uint8_t, uint8_t, const uint8_t *, uint8_t), by their mangled names.
 */
#define MYSEAL_LOCK_CHANGED _Z17mysealLockChangedb
#define MYSEAL_SET _Z9mysealSethhhPKhh

/* Flags (MYSEAL_FLAG_* in myseal_state.h), challenge states, command rules (myseal_node.cpp). */
#define MYSEAL_FLAG_LOCKED 0x01
#define MYSEAL_FLAG_IN_LOCKOUT 0x02
#define MYSEAL_FLAG_COLD_SLOT 0x04
#define FLAG_BIT_LOCKED 0
#define FLAG_BIT_IN_LOCKOUT 1
#define FLAG_BIT_COLD_SLOT 2
#define MYSEAL_NO_SLOT 0xFF
#define MYSEAL_CHALLENGE_FRESH 1
#define MYSEAL_CHALLENGE_SPENT 2
#define ARGS_MASK 0x0f
#define ARGS_VALUE 0x0f
#define NEEDS_CHALLENGE 0x10
#define RULE_LOCK_ONLY 0x20
#define RULE_BIT_NEEDS_CHALLENGE 4
#define RULE_BIT_LOCK_ONLY 5

/* enum myseal_verdict (checked in myseal_node.cpp) */
#define V_OK 0
#define V_FRAME_TOO_SHORT 1
#define V_FRAME_TOO_LONG 2
#define V_BAD_VERSION 3
#define V_WRONG_DIRECTION 4
#define V_BAD_KIND 5
#define V_REPLAYED_COUNTER 6
#define V_NO_CHALLENGE 7
#define V_AUTH_FAILED 8
#define V_CHALLENGE_USED 9
#define V_CHALLENGE_EXPIRED 10

#define MODE_OPEN 1
#define MODE_MAC_GIVEN 2

#if defined(__AVR_HAVE_JMP_CALL__)
#define XCALL call
#define XJMP jmp
#else
#define XCALL rcall
#define XJMP rjmp
#endif

	/*
	 * The cipher, CCM and the frame: what the primitives need (myseal_aes128.h, myseal_ccm.h). The
	 * node's code below goes in its own section, so a sketch that only calls the primitives links
	 * none of it. (Both sections come from this one file, so the linker keeps them together, and
	 * RCALL reaches across.)
	 */
	.section .text.myseal_crypto, "ax", @progbits

/* ---- frame ------------------------------------------------------------------------------ */

/*
 * rcall'ed first thing by every entry, with X = the key the cipher is to use: saves Y, allocates
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
 * jumped to by every entry at its end, with its result in r24 (r25:r22): wipes the key material,
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
 *   r10-r15  saved on the stack: the node keeps its frame, io, child and length there
 *
 * Each round: ShiftRows (register moves), the new key word, then per column: SubBytes, MixColumns
 * (not in the last round), the next round-key word and AddRoundKey, and the state turns by one
 * column so the next one is in r8-r11. The same instructions run for every key and block: the
 * only secret-dependent addresses are LPM reads (3 cycles on every address, no cache), and
 * MixColumns doubles with a mask made by SBC, not a branch. Clobbers all but Y, r1 and r10-r15.
 */
aes_x:
	push r10
	push r11
	push r12
	push r13
	push r14
	push r15
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
	pop r15
	pop r14
	pop r13
	pop r12
	pop r11
	pop r10
	ret

/* ---- CCM ---------------------------------------------------------------------------------- */

/*
 * AES-128-CCM, M = 8, L = 2 (RFC 3610), as myseal_ccm.cpp: nonce at F_NONCE, key at V_KEY,
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
1:	movw r30, r28
	adiw r30, F_NONCE
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
copy5:
	ldi r25, 5
	rjmp copy
copy4:
	ldi r25, 4
copy:
	ld r0, Z+
	st X+, r0
	dec r25
	brne copy
	ret

/* ---- the node: EEPROM ------------------------------------------------------------------- */

	.section .text.myseal_node, "ax", @progbits

#if defined(MYSEAL_EEPROM_LIBC)
/*
 * avr-libc's eeprom_read_byte() and eeprom_update_byte() instead of the EEPROM registers: tests
 * link their own (an EEPROM in RAM that can lose power after any byte).
 */
.macro EE_SAVE
	push r18
	push r19
	push r20
	push r21
	push r22
	push r23
	push r24
	push r25
	push r26
	push r27
	push r30
	push r31
.endm
ee_rd:
	EE_SAVE
	XCALL eeprom_read_byte
	mov r0, r24
	rjmp 1f
ee_wr:
	EE_SAVE
	mov r22, r23
	XCALL eeprom_update_byte
1:	pop r31
	pop r30
	pop r27
	pop r26
	pop r25
	pop r24
	pop r23
	pop r22
	pop r21
	pop r20
	pop r19
	pop r18
	ret
#else
/* r0 = EEPROM[r25:r24]. */
ee_rd:
	sbic _SFR_IO_ADDR(EECR), EEPE
	rjmp ee_rd
	out _SFR_IO_ADDR(EEARH), r25
	out _SFR_IO_ADDR(EEARL), r24
	sbi _SFR_IO_ADDR(EECR), EERE
	in r0, _SFR_IO_ADDR(EEDR)
	ret

/* EEPROM[r25:r24] = r23, unless it holds that already (no wear, no time). Uses r0. */
ee_wr:
	rcall ee_rd
	cp r0, r23
	breq 1f
	out _SFR_IO_ADDR(EEDR), r23
	in r0, _SFR_IO_ADDR(SREG)
	cli
	sbi _SFR_IO_ADDR(EECR), EEMPE
	sbi _SFR_IO_ADDR(EECR), EEPE
	out _SFR_IO_ADDR(SREG), r0
1:	ret
#endif

/* r20 bytes between RAM at X and EEPROM from r25:r24, one at a time in address order; T: write. */
ee_io:
	brts 1f
	rcall ee_rd
	st X+, r0
	rjmp 2f
1:	ld r23, X+
	rcall ee_wr
2:	adiw r24, 1
	dec r20
	brne ee_io
	ret

/* r25:r24 = the EEPROM address of hot slot r24 (uses r0). */
hot_addr:
	ldi r25, MYSEAL_HOT_PAYLOAD + 2
	mul r24, r25
	movw r24, r0
	clr r1
	adiw r24, MYSEAL_HOT_AT
	rjmp 1f
/* r25:r24 = the EEPROM address of the cold slot the flags name (uses r0). */
cold_addr:
	clr r24
	clr r25
	lds r0, ST(S_FLAGS)
	sbrc r0, FLAG_BIT_COLD_SLOT
	ldi r24, MYSEAL_COLD_PAYLOAD
1:	lds r0, CF(C_EEPROM_BASE)
	add r24, r0
	lds r0, CF(C_EEPROM_BASE + 1)
	adc r25, r0
	ret

/* Stores the hot record if it changed. */
commit:
	lds r0, ST(S_DIRTY)
	tst r0
	breq 9f
/* The hot record to the next slot of the ring: seq | payload | ~seq, first byte first. */
store_hot:
	ldi r30, lo8(myseal)
	ldi r31, hi8(myseal)
	ldd r24, Z+S_HOT_SLOT
	inc r24
	cpi r24, MYSEAL_HOT_SLOTS
	brlo 1f
	clr r24                      /* also the first write after MYSEAL_NO_SLOT */
1:	std Z+S_HOT_SLOT, r24
	ld r25, Z
	inc r25
	st Z, r25
	com r25
	std Z+S_HOT_CHECK, r25
	std Z+S_DIRTY, r1
	movw r26, r30
	rcall hot_addr
	ldi r20, MYSEAL_HOT_PAYLOAD + 2
	set
	rjmp ee_io
9:	ret

/* Key and PIN to the cold slot not in use, then a hot record that names it. */
store_cold:
	lds r24, ST(S_FLAGS)
	ldi r25, MYSEAL_FLAG_COLD_SLOT
	eor r24, r25
	sts ST(S_FLAGS), r24
	rcall cold_addr
	ldi r26, lo8(ST(S_FINGERPRINT))
	ldi r27, hi8(ST(S_FINGERPRINT))
	ldi r20, MYSEAL_COLD_PAYLOAD
	set
	rcall ee_io
	rjmp store_hot

/* ---- the node: helpers --------------------------------------------------------------------- */

/* X = myseal.now (4 bytes), for the clock at X. */
now_to:
	ldi r30, lo8(ST(S_NOW))
	ldi r31, hi8(ST(S_NOW))
	rjmp copy4

/* r25 bytes at X = 0. */
zero:
	st X+, r1
	dec r25
	brne zero
	ret

/* Z flag set when the 4 bytes at X are all 0; X kept. Uses r0, r25. */
zero4:
	ld r0, X+
	ld r25, X+
	or r0, r25
	ld r25, X+
	or r0, r25
	ld r25, X
	sbiw r26, 3
	or r0, r25
	ret

/* C = (the big-endian counter at Z) > (the one at X); X and Z kept. Uses r0, r24, r25. */
above:
	adiw r26, 4
	adiw r30, 4
	ldi r25, 4
	clc
1:	ld r0, -X
	ld r24, -Z
	cpc r0, r24
	dec r25
	brne 1b
	ret

/* r25:r22 = the clock at X - the clock at Z (myseal's 32-bit millisecond clocks). */
diff:
	ld r22, X+
	ld r23, X+
	ld r24, X+
	ld r25, X
	ld r0, Z+
	sub r22, r0
	ld r0, Z+
	sbc r23, r0
	ld r0, Z+
	sbc r24, r0
	ld r0, Z
	sbc r25, r0
	ret

/* X[0..3] = r25:r22, big-endian. */
put_be32:
	st X+, r25
	st X+, r24
	st X+, r23
	st X+, r22
	ret

/* The big-endian counter that ends at X (exclusive) goes up by one (X left inside it). Uses r0,
   r25. */
inc4:
	ldi r25, 4
1:	ld r0, -X
	inc r0
	st X, r0
	brne 2f
	dec r25
	brne 1b
2:	ret

/*
 * Z[0..r18) = AES_key(r24 | node id | r22 | X[0..r20) | 00 ...) (the derivations of
 * myseal_node.cpp), the block at F_KS. Z may be the key itself: written only after the cipher.
 */
derive:
	std Y+V_TAG, r30
	std Y+V_TAG+1, r31
	std Y+V_LEN, r18
	movw r30, r28
	adiw r30, F_KS
	st Z+, r24
	lds r0, CF(C_NODE_ID)
	st Z+, r0
	st Z+, r22
	ldi r25, 13
1:	clr r0
	dec r20
	brmi 2f
	ld r0, X+
2:	st Z+, r0
	dec r25
	brne 1b
	movw r26, r28
	adiw r26, F_KS
	rcall aes_x
	ldd r26, Y+V_TAG
	ldd r27, Y+V_TAG+1
	movw r30, r28
	adiw r30, F_KS
	ldd r25, Y+V_LEN
	rjmp copy

/*
 * A new challenge, from the result being built (io[0..4] = 00 | its counter, io[3] the child's
 * place holds 00): held as the node's one, with the time, and copied to io[r19..].
 */
issue_challenge:
	std Y+V_TMP, r19
	movw r26, IO_LO
	ldi r30, lo8(ST(S_CHALLENGE))
	ldi r31, hi8(ST(S_CHALLENGE))
	ldi r24, MYSEAL_DOMAIN_CHALLENGE
	mov r22, CHILD
	ldi r20, 5
	ldi r18, MYSEAL_CHALLENGE_BYTES
	rcall derive
	ldi r24, MYSEAL_CHALLENGE_FRESH
	sts ST(S_CH_STATE), r24
	ldi r26, lo8(ST(S_CH_TIME))
	ldi r27, hi8(ST(S_CH_TIME))
	rcall now_to
	movw r26, IO_LO
	ldd r0, Y+V_TMP
	add r26, r0
	adc r27, r1
	ldi r30, lo8(ST(S_CHALLENGE))
	ldi r31, hi8(ST(S_CHALLENGE))
	rjmp copy5

/*
 * F_NONCE = r24 | r22 | r20 | CHILD | Z[0..3] | the challenge (T set) or 00 * 5. Uses r0, r25,
 * X, Z.
 */
nonce:
	movw r26, r28
	adiw r26, F_NONCE
	st X+, r24
	st X+, r22
	st X+, r20
	st X+, CHILD
	rcall copy4
	ldi r30, lo8(ST(S_CHALLENGE))
	ldi r31, hi8(ST(S_CHALLENGE))
	ldi r25, MYSEAL_CHALLENGE_BYTES
1:	ld r0, Z+
	brts 2f
	clr r0
2:	st X+, r0
	dec r25
	brne 1b
	ret

/* CCM (mode r24) over the r22 bytes at X, the tag after them; the output at V_OUT. */
ccm_at:
	std Y+V_MODE, r24
	std Y+V_LEN, r22
	std Y+V_IN, r26
	std Y+V_IN+1, r27
	add r26, r22
	adc r27, r1
	std Y+V_TAG, r26
	std Y+V_TAG+1, r27
	rjmp ccm

/* ---- the node: frames it sends ------------------------------------------------------------ */

/*
 * io[0] = 0, io[1..4] = the next node counter, taken. Passing the reservation reserves the rest
 * of that block of 16 (stored, with everything else, before the frame goes out); with all
 * 2^32 - 1 used the counter stays 0, and frame_end lets nothing out. Uses r0, r24, r25, X, Z.
 */
frame_begin:
	movw r26, IO_LO
	st X+, r1
	ldi r30, lo8(ST(S_NEXT))
	ldi r31, hi8(ST(S_NEXT))
	rcall copy4
	sbiw r26, 4                  /* X = the counter taken */
	rcall zero4
	breq 9f
	movw r30, r26
	ldi r26, lo8(ST(S_RESERVED))
	ldi r27, hi8(ST(S_RESERVED))
	rcall above                  /* past the reservation: reserve the rest of its block of 16 */
	brcc 1f
	rcall copy4
	ld r24, -X
	ori r24, MYSEAL_SEND_RESERVE - 1
	st X, r24
	ldi r24, 1
	sts ST(S_DIRTY), r24
1:	ldi r26, lo8(ST(S_NEXT + 4))
	ldi r27, hi8(ST(S_NEXT + 4))
	rjmp inc4
9:	ret

/*
 * Stores what changed, sets the header r24 and seals the body of r22 bytes: r24 = the frame's
 * length, or 0 when nothing may go out (node counters used up).
 */
frame_end:
	std Y+V_TMP, r24
	std Y+V_LEN, r22
	rcall commit
	movw r26, IO_LO
	ldd r24, Y+V_TMP
	st X+, r24
	rcall zero4
	breq 8f
	movw r30, r26
	lds r22, CF(C_NODE_ID)
	clr r20
	clt
	rcall nonce
	movw r26, IO_LO
	adiw r26, MYSEAL_BODY_AT
	std Y+V_OUT, r26
	std Y+V_OUT+1, r27
	ldd r22, Y+V_LEN
	clr r24
	rcall ccm_at
	ldd r24, Y+V_LEN
	subi r24, -MYSEAL_OVERHEAD
	ret
8:	clr r24
	ret

/* A report: r22 V_ type, r20 payload type, r18 bytes of value at Z, for CHILD, in IO. */
report:
	cpi r18, MYSEAL_REPORT_VALUE_MAX + 1
	brlo 1f
	ldi r18, MYSEAL_REPORT_VALUE_MAX
1:	mov r2, r22
	mov r3, r20
	movw r4, r30
	mov r6, r18
	rcall frame_begin
	movw r26, IO_LO
	adiw r26, MYSEAL_BODY_AT
	st X+, r2
	st X+, r3
	movw r30, r4
	mov r25, r6
	tst r25
	breq 2f
	rcall copy
2:	mov r22, r6
	subi r22, -2
	ldi r24, MYSEAL_HEADER_REPORT
	rcall frame_end
	rjmp leave

/* ---- the node: the lock -------------------------------------------------------------------- */

/*
 * r25:r22 = the length of a lockout at the current level (ms): the first one, doubled for each
 * level above 1, at most the cap. Uses r18-r21, r26, Z.
 */
duration:
	ldi r30, lo8(CF(C_BASE_MS))
	ldi r31, hi8(CF(C_BASE_MS))
	ld r22, Z+
	ld r23, Z+
	ld r24, Z+
	ld r25, Z+
	ld r18, Z+
	ld r19, Z+
	ld r20, Z+
	ld r21, Z
	lds r26, ST(S_LEVEL)
1:	cp r22, r18
	cpc r23, r19
	cpc r24, r20
	cpc r25, r21
	brlo 2f
	movw r22, r18
	movw r24, r20
	ret
2:	cpi r26, 2
	brlo 3f
	lsl r22
	rol r23
	rol r24
	rol r25
	dec r26
	rjmp 1b
3:	ret

/* The running lockout ends r25:r22 ms from now. */
end_in:
	ldi r30, lo8(myseal)
	ldi r31, hi8(myseal)
	ldd r0, Z+S_NOW
	add r22, r0
	ldd r0, Z+S_NOW+1
	adc r23, r0
	ldd r0, Z+S_NOW+2
	adc r24, r0
	ldd r0, Z+S_NOW+3
	adc r25, r0
	std Z+S_LOCKOUT_END, r22
	std Z+S_LOCKOUT_END+1, r23
	std Z+S_LOCKOUT_END+2, r24
	std Z+S_LOCKOUT_END+3, r25
	ret

/*
 * r25:r22 = seconds of lockout left, rounded up (0: none). A lockout found over gives the
 * attempts back (stored with the next record: a reset before that restarts it, the safe way).
 * Uses r0, r18-r27, Z (the division).
 */
lockout_left:
	ldi r26, lo8(ST(S_LOCKOUT_END))
	ldi r27, hi8(ST(S_LOCKOUT_END))
	ldi r30, lo8(ST(S_NOW))
	ldi r31, hi8(ST(S_NOW))
	rcall diff
	lds r0, ST(S_FLAGS)
	sbrs r0, FLAG_BIT_IN_LOCKOUT
	rjmp 2f
	brmi 1f
	breq 1f
	subi r22, lo8(-999)          /* rounded up */
	sbci r23, hi8(-999)
	sbci r24, hlo8(-999)
	sbci r25, hhi8(-999)
	ldi r18, lo8(1000)
	ldi r19, hi8(1000)
	clr r20
	clr r21
	XCALL __udivmodsi4
	movw r22, r18
	movw r24, r20
	ret
1:	ldi r30, lo8(myseal)
	ldi r31, hi8(myseal)
	rcall attempts_back
	ldi r24, 1
	std Z+S_DIRTY, r24
2:	clr r22
	clr r23
	movw r24, r22
	ret

/* No lockout, all the attempts (Z = &myseal). */
attempts_back:
	ldd r24, Z+S_FLAGS
	andi r24, ~MYSEAL_FLAG_IN_LOCKOUT
	std Z+S_FLAGS, r24
	lds r24, CF(C_MAX_ATTEMPTS)
	std Z+S_ATTEMPTS, r24
	ret

/* The lock state r24 (0 or 1): stored, then mysealLockChanged(). Keeps r24 in r16. */
change_lock:
	mov r16, r24
	lds r24, ST(S_FLAGS)
	andi r24, ~MYSEAL_FLAG_LOCKED
	or r24, r16
	sts ST(S_FLAGS), r24
	ldi r26, lo8(ST(S_UNLOCKED_AT))
	ldi r27, hi8(ST(S_UNLOCKED_AT))
	rcall now_to
	rcall store_hot              /* stored before the bolt moves */
	ldi r30, lo8(gs(MYSEAL_LOCK_CHANGED))
	ldi r31, hi8(gs(MYSEAL_LOCK_CHANGED))
	mov r0, r30
	or r0, r31
	breq 1f
	mov r24, r16
	icall
1:	ret

/*
 * Status, lock, unlock, set-PIN (op r17, arguments at io[6..]): r24 = the result's status,
 * r22 = its data length (data at io[10..]).
 */
lock_command:
	rcall lockout_left
	movw r26, IO_LO
	adiw r26, MYSEAL_BODY_AT + 5
	cpi r17, MYSEAL_OP_STATUS
	brne 1f
	lds r20, ST(S_FLAGS)
	andi r20, MYSEAL_FLAG_LOCKED
	st X+, r20
	lds r0, ST(S_ATTEMPTS)
	st X+, r0
	rcall put_be32
	ldi r24, MYSEAL_LOCK_STATUS
	ldi r22, 6
	ret
1:	cpi r17, MYSEAL_OP_LOCK
	brne 2f
	ldi r24, 1
	rcall change_lock
	ldi r24, MYSEAL_LOCKED
	clr r22
	ret
	/* Unlock and set-PIN: a PIN attempt, unless a lockout runs (then it is not even compared).
	   The attempt, and the lockout a wrong PIN would start, are stored before the comparison. */
2:	ldi r30, lo8(myseal)
	ldi r31, hi8(myseal)
	ldd r16, Z+S_FLAGS
	sbrc r16, FLAG_BIT_IN_LOCKOUT
	rjmp .Llocked_out
	ldd r24, Z+S_ATTEMPTS
	cpse r24, r1
	dec r24
	std Z+S_ATTEMPTS, r24
	tst r24
	brne 3f
	ldd r24, Z+S_LEVEL
	inc r24
	brne 4f
	dec r24                      /* stays at 255 */
4:	std Z+S_LEVEL, r24
	ori r16, MYSEAL_FLAG_IN_LOCKOUT
	std Z+S_FLAGS, r16
3:	rcall store_hot
	movw r24, IO_LO
	adiw r24, MYSEAL_BODY_AT + 1
	ldi r22, lo8(ST(S_PIN))
	ldi r23, hi8(ST(S_PIN))
	ldi r20, MYSEAL_PIN_BYTES
	XCALL myseal_ct_equal
	tst r24
	breq 6f
	ldi r30, lo8(myseal)
	ldi r31, hi8(myseal)
	std Z+S_LEVEL, r1
	rcall attempts_back
	cpi r17, MYSEAL_OP_UNLOCK
	brne 5f
	clr r24
	rcall change_lock
	ldi r24, MYSEAL_UNLOCKED
	clr r22
	ret
5:	movw r30, IO_LO              /* set-PIN: the new one, stored before the answer */
	adiw r30, MYSEAL_BODY_AT + 1 + MYSEAL_PIN_BYTES
	ldi r26, lo8(ST(S_PIN))
	ldi r27, hi8(ST(S_PIN))
	rcall copy4
	rcall store_cold
	rjmp .Ldone
6:	lds r16, ST(S_FLAGS)
	sbrc r16, FLAG_BIT_IN_LOCKOUT
	rjmp 7f
	movw r26, IO_LO              /* wrong: the attempts left and the next challenge */
	adiw r26, MYSEAL_BODY_AT + 5
	lds r0, ST(S_ATTEMPTS)
	st X, r0
	ldi r19, MYSEAL_BODY_AT + 6
	rcall issue_challenge
	ldi r24, MYSEAL_WRONG_PIN
	ldi r22, 1 + MYSEAL_CHALLENGE_BYTES
	ret
7:	rcall duration               /* the last attempt: the lockout starts now */
	rcall end_in
	rcall lockout_left
.Llocked_out:
	movw r26, IO_LO
	adiw r26, MYSEAL_BODY_AT + 5
	rcall put_be32
	ldi r24, MYSEAL_LOCKED_OUT
	ldi r22, 4
	ret

/* ---- the node: receiving ----------------------------------------------------------------- */

/*
 * Checks 1-6 of the receive order (docs/protocol.md section 9) on the frame at FRAME (FLEN
 * bytes) from sender r19 on CHILD: r24 = the verdict; the body decrypted to V_OUT when the tag
 * verified (zeroed when it did not).
 */
open_checks:
	mov r18, FLEN
	ldi r24, V_FRAME_TOO_SHORT
	cpi r18, MYSEAL_FRAME_MIN
	brlo 9f
	ldi r24, V_FRAME_TOO_LONG
	cpi r18, MYSEAL_FRAME_MAX + 1
	brsh 9f
	movw r26, FRAME_LO
	ld r21, X+                   /* the header: version, then direction, then kind */
	mov r23, r21
	andi r23, 0x70
	ldi r24, V_BAD_VERSION
	cpi r23, 0x10
	brne 9f
	ldi r24, V_WRONG_DIRECTION
	sbrc r21, 7
	ret
	mov r23, r21
	andi r23, 0x0f
	ldi r24, V_BAD_KIND
	cpi r23, MYSEAL_KIND_CRITICAL + 1
	brsh 9f
	rcall zero4                  /* counter 0 is never sent */
	ldi r24, V_REPLAYED_COUNTER
	breq 9f
	bst r21, 0                   /* T: CRITICAL */
	brtc 1f
	lds r0, ST(S_CH_STATE)
	ldi r24, V_NO_CHALLENGE      /* without a challenge the nonce cannot even be built */
	tst r0
	breq 9f
1:	mov r24, r21                 /* destination: this node, so another node's frame fails */
	mov r22, r19
	lds r20, CF(C_NODE_ID)
	movw r30, r26
	rcall nonce
	movw r26, FRAME_LO
	adiw r26, MYSEAL_BODY_AT
	mov r22, FLEN
	subi r22, MYSEAL_OVERHEAD
	ldi r24, MODE_OPEN
	rcall ccm_at
	tst r24
	ldi r24, V_AUTH_FAILED
	breq 9f
	movw r30, FRAME_LO
	adiw r30, MYSEAL_COUNTER_AT
	ldi r26, lo8(ST(S_LAST))
	ldi r27, hi8(ST(S_LAST))
	rcall above
	ldi r24, V_REPLAYED_COUNTER
	brcc 9f
	clr r24
9:	ret

/*
 * Z set when the value at X (V_ type, payload type, data: r16 bytes) is well formed
 * (docs/protocol.md 8.4). Uses r18-r20.
 */
value_ok:
	mov r18, r16
	subi r18, 2                  /* the data's length */
	brcs 8f
	ld r19, X+
	ld r19, X+
	cpi r19, MYSEAL_P_FLOAT32 + 1
	brsh 8f
	tst r19
	brne 2f
1:	dec r18                      /* a string: printable, relayable as a gateway line */
	brmi 7f
	ld r20, X+
	cpi r20, 0x20
	brlo 8f
	cpi r20, 0x7f
	brsh 8f
	cpi r20, ';'
	breq 8f
	rjmp 1b
2:	cpi r19, MYSEAL_P_CUSTOM     /* any 0-9 bytes */
	breq 7f
	ldi r20, 1
	cpi r19, MYSEAL_P_BYTE
	breq 3f
	ldi r20, 2                   /* INT16, UINT16 */
	cpi r19, 4
	brlo 3f
	ldi r20, 4                   /* 32-bit */
3:	cp r18, r20
	ret
7:	sez
	ret
8:	clz
	ret

/*
 * Z set when the 4 bytes at X (advanced) are a PIN as sent: 4 to 8 decimal digits, then only F
 * nibbles (docs/protocol.md 8.1). Every nibble goes through the same instructions: how long it
 * takes says nothing about where a layout error is, or how many digits there are. Uses r18,
 * r19, r22-r25, r30, r31.
 */
pin_ok:
	clr r19                      /* F nibbles */
	clr r31                      /* 0xff once an F was seen */
	clr r30                      /* 0xff: bad */
	ldi r18, MYSEAL_PIN_BYTES
1:	ld r22, X+
	swap r22
	rcall 2f
	swap r22
	rcall 2f
	dec r18
	brne 1b
	cpi r19, 5                   /* at least 4 digits */
	brsh 3f
	tst r30
	ret
2:	mov r23, r22
	andi r23, 0x0f
	cpi r23, 10
	sbc r24, r24                 /* 0xff: a digit */
	ldi r25, 0x0f
	eor r25, r23
	subi r25, 1
	sbc r25, r25                 /* 0xff: F */
	sub r19, r25
	mov r0, r25
	com r0
	and r0, r31                  /* a digit (or A-E) after an F */
	or r30, r0
	or r31, r25
	or r24, r25
	com r24                      /* A-E */
	or r30, r24
	ret
3:	clz
	ret

/*
 * Steps 8 and 9 for the command at io[5..] (FLEN - 13 bytes): r24 = the result's status,
 * r22 = its data length (data at io[10..]).
 */
run_command:
	movw r26, IO_LO
	adiw r26, MYSEAL_BODY_AT
	ld r17, X+                   /* op; X = the arguments */
	mov r16, FLEN
	subi r16, MYSEAL_OVERHEAD + 1
	mov r24, r17
	dec r24
	ldi r23, MYSEAL_UNKNOWN_OP
	cpi r24, 7
	brsh .Lrefuse
	ldi r30, lo8(command_rules)
	ldi r31, hi8(command_rules)
	add r30, r24
	adc r31, r1
	lpm r21, Z                   /* what the command needs */
	mov r24, r21
	andi r24, ARGS_MASK
	cpi r24, ARGS_VALUE
	brne 2f
	rcall value_ok
	ldi r23, MYSEAL_BAD_VALUE
	brne .Lrefuse
	mov r24, CHILD               /* a guarded child wants a challenge */
	cpi r24, 16
	brsh 4f
	lds r18, CF(C_GUARDED)
	lds r19, CF(C_GUARDED + 1)
1:	lsr r19
	ror r18
	dec r24
	brpl 1b
	brcc 4f
	ori r21, NEEDS_CHALLENGE
	rjmp 4f
2:	ldi r23, MYSEAL_BAD_LENGTH
	cp r16, r24
	brne .Lrefuse
3:	cpi r21, 1 << 6              /* PINs among the arguments: the rule's top two bits */
	brlo 4f
	rcall pin_ok
	ldi r23, MYSEAL_BAD_PIN
	brne .Lrefuse
	subi r21, 1 << 6
	rjmp 3b
4:	ldi r23, MYSEAL_CHALLENGE_REQUIRED
	movw r30, FRAME_LO
	ld r0, Z
	sbrs r21, RULE_BIT_NEEDS_CHALLENGE
	rjmp 5f
	sbrs r0, 0
	rjmp .Lrefuse
5:	ldi r23, MYSEAL_NOT_SUPPORTED /* status, lock, unlock, set-PIN: the lock's child only */
	sbrs r21, RULE_BIT_LOCK_ONLY
	rjmp 6f
	lds r0, CF(C_LOCK_CHILD)
	cp r0, CHILD
	brne .Lrefuse
	inc r0
	brne 6f
.Lrefuse:
	movw r26, IO_LO
	adiw r26, MYSEAL_BODY_AT + 5
	st X, r23
	ldi r24, MYSEAL_BAD_REQUEST
	ldi r22, 1
	ret
6:	cpi r17, MYSEAL_OP_GET_CHALLENGE
	brne 7f
	ldi r19, MYSEAL_BODY_AT + 5
	rcall issue_challenge
	ldi r24, MYSEAL_CHALLENGE
	ldi r22, MYSEAL_CHALLENGE_BYTES
	ret
7:	cpi r17, MYSEAL_OP_ROTATE_KEY
	brne 8f
	/* K' = AES_K(CB | node | seed | 00 00 00), stored (after the counter, in the other cold
	   slot) before the answer, which goes out under K' and so confirms the rotation. */
	rcall commit
	movw r26, IO_LO
	adiw r26, MYSEAL_BODY_AT + 1
	ld r22, X+
	ldi r24, MYSEAL_DOMAIN_ROTATION
	ldi r20, MYSEAL_SEED_BYTES - 1
	ldi r18, 16
	ldi r30, lo8(ST(S_KEY))
	ldi r31, hi8(ST(S_KEY))
	rcall derive
	rcall store_cold
	rjmp .Ldone
8:	cpi r17, MYSEAL_OP_SET
	breq 9f
	rjmp lock_command
9:	rcall commit                 /* the counter is in EEPROM before the relay moves */
	ldi r23, MYSEAL_NOT_SUPPORTED
	ldi r30, lo8(gs(MYSEAL_SET))
	ldi r31, hi8(gs(MYSEAL_SET))
	mov r0, r30
	or r0, r31
	breq .Lrefuse
	movw r26, IO_LO
	adiw r26, MYSEAL_BODY_AT + 1
	ld r22, X+
	ld r20, X+
	movw r18, r26
	mov r16, FLEN
	subi r16, MYSEAL_OVERHEAD + 3
	mov r24, CHILD
	icall
	ldi r23, MYSEAL_NOT_SUPPORTED
	tst r24
	breq .Lrefuse
.Ldone:
	clr r24                      /* MYSEAL_DONE */
	clr r22
	ret

/* ---- the node: entries ------------------------------------------------------------------- */

/* enter, for the node's entries that take the time first (r25:r22): myseal.now = it; its key. */
enter_now:
	ldi r26, lo8(ST(S_NOW))
	ldi r27, hi8(ST(S_NOW))
	st X+, r22
	st X+, r23
	st X+, r24
	st X, r25
	ldi r26, lo8(ST(S_KEY))
	ldi r27, hi8(ST(S_KEY))
	rjmp enter

	.global myseal_receive
	.type myseal_receive, @function
myseal_receive:
	/* now r25:r22, sender r20, child r18, frame r17:r16, len r14, io r13:r12 */
	rcall enter_now
	mov r19, r20
	mov CHILD, r18
	mov FLEN, r14
	movw IO_LO, r12
	movw FRAME_LO, r16
	movw r26, IO_LO
	adiw r26, MYSEAL_BODY_AT
	std Y+V_OUT, r26
	std Y+V_OUT+1, r27
	rcall open_checks
	sts ST(S_VERDICT), r24
	movw r30, FRAME_LO
	adiw r30, MYSEAL_COUNTER_AT  /* Z = the counter */
	ldi r26, lo8(ST(S_LAST))
	ldi r27, hi8(ST(S_LAST))
	tst r24
	brne 1f
	ldi r24, 1                   /* accepted: stored with the first record written below */
	sts ST(S_DIRTY), r24
	rjmp 2f
1:	cpi r24, V_REPLAYED_COUNTER  /* authentic but stale: answered once per frame per boot */
	brne .Lsilent
	ldi r26, lo8(ST(S_STALE))
	ldi r27, hi8(ST(S_STALE))
	rcall above
	brcs 2f
.Lsilent:
	clr r24
	rjmp .Lfinish
2:	rcall copy4
	rcall frame_begin
	movw r26, IO_LO
	adiw r26, MYSEAL_BODY_AT + 5
	lds r24, ST(S_VERDICT)
	cpi r24, V_REPLAYED_COUNTER
	brne 3f
	ldi r30, lo8(ST(S_LAST))     /* the last counter accepted, so a controller can resync */
	ldi r31, hi8(ST(S_LAST))
	rcall copy4
	ldi r24, MYSEAL_STALE_COUNTER
	ldi r22, 4
	rjmp .Lanswer
3:	movw r30, FRAME_LO
	ld r0, Z
	sbrs r0, 0
	rjmp .Lrun
	ldi r30, lo8(myseal)         /* CRITICAL: the challenge unused and in time */
	ldi r31, hi8(myseal)
	ldd r25, Z+S_CH_STATE
	ldi r24, MYSEAL_CHALLENGE_SPENT
	std Z+S_CH_STATE, r24        /* single use, whatever the outcome */
	ldi r24, V_CHALLENGE_USED
	cpi r25, MYSEAL_CHALLENGE_SPENT
	breq 4f
	ldi r26, lo8(ST(S_NOW))
	ldi r27, hi8(ST(S_NOW))
	adiw r30, S_CH_TIME
	rcall diff
	lds r18, CF(C_WINDOW)
	lds r19, CF(C_WINDOW + 1)
	cp r18, r22
	cpc r19, r23
	cpc r1, r24
	cpc r1, r25
	ldi r24, V_CHALLENGE_EXPIRED
	brlo 4f
	clr r24
4:	sts ST(S_VERDICT), r24
	tst r24
	breq .Lrun
	ldi r19, MYSEAL_BODY_AT + 5  /* answered with a new one: a retry needs no extra trip */
	rcall issue_challenge
	ldi r24, MYSEAL_CHALLENGE_EXPIRED_RESULT
	ldi r22, MYSEAL_CHALLENGE_BYTES
	rjmp .Lanswer
.Lrun:
	rcall run_command
.Lanswer:
	movw r26, IO_LO
	adiw r26, MYSEAL_BODY_AT
	st X+, r24                   /* the status, then the command this result answers */
	movw r30, FRAME_LO
	adiw r30, MYSEAL_COUNTER_AT
	rcall copy4
	subi r22, -5
	ldi r24, MYSEAL_HEADER_RESULT
	rcall frame_end
.Lfinish:
	tst r24
	brne 7f
	movw r26, IO_LO              /* nothing goes out: the body is wiped (a PIN may be in it) */
	adiw r26, MYSEAL_BODY_AT
	ldi r25, MYSEAL_BODY_MAX
	rcall zero
7:	rjmp leave
	.size myseal_receive, . - myseal_receive

	.global myseal_poll
	.type myseal_poll, @function
myseal_poll:
	/* now r25:r22, io r21:r20: relocks when due */
	rcall enter_now
	movw IO_LO, r20
	lds r18, CF(C_RELOCK)
	lds r19, CF(C_RELOCK + 1)
	lds r0, ST(S_FLAGS)
	sbrc r0, FLAG_BIT_LOCKED
	rjmp 1f
	ldi r26, lo8(ST(S_NOW))
	ldi r27, hi8(ST(S_NOW))
	ldi r30, lo8(ST(S_UNLOCKED_AT))
	ldi r31, hi8(ST(S_UNLOCKED_AT))
	rcall diff
	cp r22, r18
	cpc r23, r19
	cpc r24, r1
	cpc r25, r1
	brlo 1f
	mov r0, r18
	or r0, r19
	breq 1f                      /* no auto-relock */
	ldi r20, 1
	rjmp .Lset_locked
1:	clr r24
	rjmp leave
	.size myseal_poll, . - myseal_poll

	.global myseal_set_locked
	.type myseal_set_locked, @function
myseal_set_locked:
	/* now r25:r22, locked r20, io r19:r18: stored, moved, reported */
	rcall enter_now
	movw IO_LO, r18
.Lset_locked:
	ldi r24, 1
	cpse r20, r1
	rjmp 1f
	clr r24
1:	std Y+V_TMP+2, r24           /* the report's value */
	rcall change_lock
	lds CHILD, CF(C_LOCK_CHILD)
	ldi r22, MYSEAL_V_LOCK_STATUS
	ldi r20, MYSEAL_P_BYTE
	movw r30, r28
	adiw r30, V_TMP + 2
	ldi r18, 1
	rjmp report
	.size myseal_set_locked, . - myseal_set_locked

	.global myseal_report
	.type myseal_report, @function
myseal_report:
	/* now r25:r22, child r20, type r18, payload type r16, value r15:r14, length r12, io r11:r10 */
	rcall enter_now
	mov r22, r18
	mov r18, r12
	movw r30, r14
	movw IO_LO, r10
	mov CHILD, r20
	mov r20, r16
	rjmp report
	.size myseal_report, . - myseal_report

	.global myseal_begin
	.type myseal_begin, @function
	.global myseal_begin_P
	.type myseal_begin_P, @function
myseal_begin_P:
	/* the same, the key in flash */
	set
	rjmp 1f
myseal_begin:
	/* now r25:r22, key r21:r20, pin r19:r16 (packed BCD, the first digit in the top nibble) */
	clt
1:	rcall enter_now
	clr r0
	bld r0, 0
	std Y+V_CTR, r0              /* the key is in flash */
	std Y+V_TMP, r20
	std Y+V_TMP+1, r21
	std Y+V_TMP+2, r19           /* the PIN as stored: big-endian */
	std Y+V_TMP+3, r18
	std Y+V_TMP+4, r17
	std Y+V_TMP+5, r16
	rcall .Lflashed_key
	ldi r24, MYSEAL_DOMAIN_FINGERPRINT /* which key the sketch carries, into F_MAC */
	clr r22
	clr r20
	ldi r18, 4
	movw r30, r28
	adiw r30, F_MAC
	rcall derive
	/* The newest hot record: valid (seq ^ ~seq = FF) and highest by serial arithmetic. */
	ldi r16, MYSEAL_NO_SLOT
	clr r17
	clr r18
1:	mov r24, r18
	rcall hot_addr
	rcall ee_rd
	mov r19, r0
	adiw r24, MYSEAL_HOT_PAYLOAD + 1
	rcall ee_rd
	eor r0, r19
	inc r0
	brne 2f                      /* torn, erased or never written */
	cpi r16, MYSEAL_NO_SLOT
	breq 3f
	mov r0, r19
	sub r0, r17
	breq 2f
	brmi 2f
3:	mov r16, r18
	mov r17, r19
2:	inc r18
	cpi r18, MYSEAL_HOT_SLOTS
	brne 1b
	ldi r30, lo8(myseal)
	ldi r31, hi8(myseal)
	std Z+S_HOT_SLOT, r16
	st Z, r17                    /* none: 0, so the first record is 1 (see myseal_node.cpp) */
	cpi r16, MYSEAL_NO_SLOT
	breq .Lprovision
	mov r24, r16                 /* that record, and the cold slot it names */
	rcall hot_addr
	movw r26, r30
	ldi r20, MYSEAL_HOT_PAYLOAD + 2
	clt
	rcall ee_io
	rcall cold_addr
	ldi r26, lo8(ST(S_FINGERPRINT))
	ldi r27, hi8(ST(S_FINGERPRINT))
	ldi r20, MYSEAL_COLD_PAYLOAD
	rcall ee_io
	sbiw r26, MYSEAL_COLD_PAYLOAD
	movw r30, r28
	adiw r30, F_MAC
	ldi r25, 4
4:	ld r0, X+
	ld r24, Z+
	cp r0, r24
	brne .Lprovision
	dec r25
	brne 4b
	rjmp .Lbooted
.Lprovision:
	/* First boot, or a new key flashed: that key, the first-boot PIN, counters from 0. */
	ldi r26, lo8(ST(S_LAST))
	ldi r27, hi8(ST(S_LAST))
	ldi r25, 8                   /* last received, send reserved */
	rcall zero
	lds r0, CF(C_MAX_ATTEMPTS)
	st X+, r0
	st X+, r1                    /* level */
	ld r24, X
	andi r24, MYSEAL_FLAG_COLD_SLOT
	ori r24, MYSEAL_FLAG_LOCKED
	st X, r24
	ldi r26, lo8(ST(S_FINGERPRINT))
	ldi r27, hi8(ST(S_FINGERPRINT))
	movw r30, r28
	adiw r30, F_MAC
	rcall copy4
	rcall .Lflashed_key
	movw r30, r28
	adiw r30, V_TMP + 2
	rcall copy4                  /* X = the PIN, after the key */
	rcall store_cold
.Lbooted:
	/* Counters reserved before the reset may have been used: continue after all of them. */
	ldi r30, lo8(ST(S_RESERVED))
	ldi r31, hi8(ST(S_RESERVED))
	ldi r26, lo8(ST(S_NEXT))
	ldi r27, hi8(ST(S_NEXT))
	rcall copy4
	rcall inc4
	ldi r26, lo8(ST(S_DIRTY))    /* dirty, verdict, no challenge (fail closed), stale mark */
	ldi r27, hi8(ST(S_DIRTY))
	ldi r25, S_CHALLENGE - S_DIRTY
	rcall zero
	ldi r26, lo8(ST(S_UNLOCKED_AT))
	ldi r27, hi8(ST(S_UNLOCKED_AT))
	rcall now_to
	rcall duration               /* a lockout running at the reset starts over, in full */
	rcall end_in
	rjmp leave
.Lflashed_key:
	ldd r30, Y+V_TMP
	ldd r31, Y+V_TMP+1
	ldi r26, lo8(ST(S_KEY))
	ldi r27, hi8(ST(S_KEY))
	ldi r25, 16
	ldd r0, Y+V_CTR
	sbrs r0, 0
	rjmp copy
7:	lpm r0, Z+
	st X+, r0
	dec r25
	brne 7b
	ret
	.size myseal_begin, . - myseal_begin

/* What each command needs (opcodes 1-7), as in myseal_node.cpp. */
command_rules:
	.byte 0
	.byte RULE_LOCK_ONLY
	.byte RULE_LOCK_ONLY
	.byte MYSEAL_PIN_BYTES | NEEDS_CHALLENGE | RULE_LOCK_ONLY | (1 << 6)
	.byte 2 * MYSEAL_PIN_BYTES | NEEDS_CHALLENGE | RULE_LOCK_ONLY | (2 << 6)
	.byte MYSEAL_SEED_BYTES | NEEDS_CHALLENGE
	.byte ARGS_VALUE
	.byte 0

	.weak MYSEAL_LOCK_CHANGED
	.weak MYSEAL_SET

/* ---- entries for C: the rest of the node (tests, and what a sketch may call) --------------- */

/* An entry in a section of its own (linked only when called) that runs on the node's key. */
.macro NODE_ENTRY name
	.section .text.\name, "ax", @progbits
	.global \name
	.type \name, @function
\name:
	ldi r26, lo8(ST(S_KEY))
	ldi r27, hi8(ST(S_KEY))
	XCALL enter
.endm
.macro ENTRY_END name
	XJMP leave
	.size \name, . - \name
.endm

	NODE_ENTRY myseal_open
	/* sender r24, child r22, frame r21:r20, len r18, body r17:r16 */
	mov r19, r24
	mov CHILD, r22
	movw FRAME_LO, r20
	mov FLEN, r18
	std Y+V_OUT, r16
	std Y+V_OUT+1, r17
	XCALL open_checks
	ENTRY_END myseal_open

	.section .text.myseal_lockout_seconds, "ax", @progbits
	.global myseal_lockout_seconds
	.type myseal_lockout_seconds, @function
myseal_lockout_seconds:
	/* now r25:r22 -> r25:r22 */
	XCALL enter_now
	XCALL lockout_left
	ENTRY_END myseal_lockout_seconds

	.section .text.myseal_attempts_left, "ax", @progbits
	.global myseal_attempts_left
	.type myseal_attempts_left, @function
myseal_attempts_left:
	/* now r25:r22 -> r24 */
	XCALL enter_now
	XCALL lockout_left
	lds r24, ST(S_ATTEMPTS)
	ENTRY_END myseal_attempts_left

	NODE_ENTRY myseal_issue_challenge
	/* io r25:r24, child r22, at r20 */
	movw IO_LO, r24
	mov CHILD, r22
	mov r19, r20
	XCALL issue_challenge
	ENTRY_END myseal_issue_challenge

	NODE_ENTRY myseal_derive
	/* out r25:r24, out length r22, domain r20, third r18, input r17:r16, input length r14 */
	movw r30, r24
	mov r24, r20
	mov r20, r14
	mov r14, r18                 /* third */
	mov r18, r22
	mov r22, r14
	movw r26, r16
	XCALL derive
	ENTRY_END myseal_derive

	NODE_ENTRY myseal_commit
	XCALL commit
	ENTRY_END myseal_commit

	NODE_ENTRY myseal_lockout_duration
	/* -> r25:r22 */
	XCALL duration
	ENTRY_END myseal_lockout_duration

	.section .text.myseal_pin_well_formed, "ax", @progbits
	.global myseal_pin_well_formed
	.type myseal_pin_well_formed, @function
myseal_pin_well_formed:
	/* p r25:r24 -> r24 (no frame: pin_ok uses only call-clobbered registers) */
	movw r26, r24
	XCALL pin_ok
	ldi r24, 1
	breq 1f
	clr r24
1:	ret
	.size myseal_pin_well_formed, . - myseal_pin_well_formed

/* ---- entries for C: the primitives ------------------------------------------------------ */

	.section .text.myseal_aes128_encrypt, "ax", @progbits
	.global myseal_aes128_encrypt
	.type myseal_aes128_encrypt, @function
myseal_aes128_encrypt:
	/* r25:r24 key, r23:r22 block */
	movw r26, r24
	XCALL enter
	movw r26, r22
	XCALL aes_x
	XJMP leave
	.size myseal_aes128_encrypt, . - myseal_aes128_encrypt

	.section .text.myseal_ccm, "ax", @progbits
	.global myseal_ccm_seal
	.type myseal_ccm_seal, @function
	.global myseal_ccm_open
	.type myseal_ccm_open, @function
	.global myseal_ccm_seal_mac
	.type myseal_ccm_seal_mac, @function
	.global myseal_ccm_open_mac
	.type myseal_ccm_open_mac, @function
/*
 * seal(key, nonce, pt, len, ct, tag), open(key, nonce, ct, len, tag, pt), and the same with a
 * last argument mac: the CBC-MAC after B0 and associated data (myseal_ccm_aad.cpp).
 * r25:r24 key, r23:r22 nonce, r21:r20 in, r18 len, r17:r16 x, r15:r14 y, r13:r12 mac.
 */
myseal_ccm_open_mac:
	movw r26, r24
	XCALL enter
	ldi r19, MODE_OPEN | MODE_MAC_GIVEN
	rjmp 1f
myseal_ccm_seal_mac:
	movw r26, r24
	XCALL enter
	ldi r19, MODE_MAC_GIVEN
	rjmp 1f
myseal_ccm_open:
	movw r26, r24
	XCALL enter
	ldi r19, MODE_OPEN
	rjmp 1f
myseal_ccm_seal:
	movw r26, r24
	XCALL enter
	ldi r19, 0
1:
	std Y+V_MODE, r19
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
	movw r26, r28                /* the nonce into the frame */
	adiw r26, F_NONCE
	movw r30, r22
	ldi r25, 13
3:	ld r0, Z+
	st X+, r0
	dec r25
	brne 3b
	sbrs r19, 1
	rjmp 5f
	movw r26, r28                /* the MAC given */
	adiw r26, F_MAC
	movw r30, r12
	ldi r25, 16
4:	ld r0, Z+
	st X+, r0
	dec r25
	brne 4b
5:	XCALL ccm
	XJMP leave
	.size myseal_ccm_seal, . - myseal_ccm_seal

#endif /* MYSEAL_AVR_ASM */
