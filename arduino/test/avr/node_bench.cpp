/*
 * MySeal node benchmark firmware (bench/avr.ts): the node's receive path on the ATmega328P,
 * between myseal-sim section marks, on frames sealed here as the controller would seal them.
 * Sections (cycles exclude nothing but the marks; stack is below the caller's stack pointer):
 *   10 open      myseal_open(): checks 1-6 of a largest command frame (25 bytes: a set with a
 *                9-byte value): length, header and counter checks, the nonce, CCM verify and
 *                decrypt (4 AES blocks), freshness. No EEPROM, no action.
 *   11 forged    the same with a wrong tag (must take exactly as long)
 *   12 seal      myseal_frame_seal() of a result (LOCK_STATUS, 11-byte body: 4 AES blocks)
 *   13 receive   myseal_receive() of a largest set: open, counter stored (EEPROM), the sketch's
 *                set hook, a DONE result sealed
 *   14 handle    a message handed to the sketch's receive(), which calls MySeal::handle(): the
 *                same through the sketch API and the MySensors stand-in, out through
 *                _sendRoute() (the peak stack of the whole path, from where MySensors calls)
 *   15 challenge GET_CHALLENGE: open, store, derive a challenge (5th AES), seal CHALLENGE
 *   16 unlock    UNLOCK with the right PIN: open, attempt stored, PIN compared, lock stored,
 *                UNLOCKED sealed
 *   127 empty    calibration
 * Then 368 unlocks (GET_CHALLENGE, UNLOCK, auto-relock 5 s later): the hot records they write.
 * Prints "bench ok" (or "bench FAIL"), "eeprom records <n> unlocks <m>"; exit status 0 or 1.
 */
#include <MySensors.h>
#include <MySeal.h>
#include <string.h>

#include "avr_io.h"
#include "myseal_frame.h"

static const uint8_t bench_key[16] PROGMEM = { 0x6d, 0x79, 0x73, 0x65, 0x61, 0x31, 0xc0, 0xff,
                                               0xee, 0x5e, 0xed, 0x01, 0x23, 0x45, 0x67, 0x89 };
static MySeal seal;
static uint8_t key[16];
static uint32_t controller_counter;
static uint8_t sets;

bool mysealSet(uint8_t child, uint8_t type, uint8_t payloadType, const uint8_t *value,
               uint8_t length)
{
	sets++;
	return child == 2 && type == 47 && payloadType == 0 && length == 9 && value[0] == 'H';
}

void receive(const MyMessage &message)
{
	seal.handle(message);
}

/* A command as the controller seals it: header, next counter, body; returns the length. */
static uint8_t command(uint8_t *frame, uint8_t child, const uint8_t *body, uint8_t n, bool critical)
{
	frame[0] = critical ? MYSEAL_HEADER_CRITICAL : MYSEAL_HEADER_COMMAND;
	myseal_put_be32(frame + 1, ++controller_counter);
	memcpy(frame + 5, body, n);
	return myseal_frame_seal(key, frame, n, 0, 5, child, critical ? myseal_challenge() : NULL);
}

static const uint8_t SET_TEXT[12] = { MYSEAL_OP_SET, 47, 0, 'H', 'E', 'L', 'L', 'O', '-', '1', '2', '3' };
static const uint8_t GET_CHALLENGE[1] = { MYSEAL_OP_GET_CHALLENGE };
static const uint8_t UNLOCK[5] = { MYSEAL_OP_UNLOCK, 0x12, 0x34, 0xff, 0xff };

int main(void)
{
	avrio_init();
	myseal_stub_init_timer();
	myseal_stub_set_node_id(5);
	memcpy_P(key, bench_key, sizeof key);
	seal.lockChild(1).autoRelock(5000).begin(5, bench_key, MYSEAL_PIN("1234"));
	bool fine = true;
	uint8_t frame[MYSEAL_FRAME_MAX], body[MYSEAL_BODY_MAX], io[MYSEAL_FRAME_MAX];

	AVRIO_SECTION_BEGIN(127);
	AVRIO_SECTION_END(127);

	uint8_t len = command(frame, 2, SET_TEXT, sizeof SET_TEXT, false);
	fine &= len == MYSEAL_FRAME_MAX;
	AVRIO_SECTION_BEGIN(10);
	uint8_t verdict = myseal_open(0, 2, frame, len, body);
	AVRIO_SECTION_END(10);
	fine &= verdict == MYSEAL_OK && memcmp(body, SET_TEXT, sizeof SET_TEXT) == 0;

	frame[len - 1] ^= 1;
	AVRIO_SECTION_BEGIN(11);
	verdict = myseal_open(0, 2, frame, len, body);
	AVRIO_SECTION_END(11);
	fine &= verdict == AUTH_FAILED;
	frame[len - 1] ^= 1;

	io[0] = MYSEAL_HEADER_RESULT;
	memset(io + 1, 0x11, 4 + 11);
	AVRIO_SECTION_BEGIN(12);
	len = myseal_frame_seal(key, io, 11, 5, 0, 1, NULL);
	AVRIO_SECTION_END(12);
	fine &= len == 24;

	len = command(frame, 2, SET_TEXT, sizeof SET_TEXT, false);
	AVRIO_SECTION_BEGIN(13);
	uint8_t out = myseal_receive(millis(), 0, 2, frame, len, io);
	AVRIO_SECTION_END(13);
	fine &= out == 18 && myseal_verdict() == MYSEAL_OK && sets == 1;

	// The same through the sketch API: a message as MySensors hands it to receive().
	len = command(frame, 2, SET_TEXT, sizeof SET_TEXT, false);
	MyMessage message;
	message.setSender(0).setDestination(5).setSensor(2).setType(MYSEAL_STREAM_TYPE);
	message.setCommand(C_STREAM).set(frame, len);
	myseal_stub_clear_sent();
	AVRIO_SECTION_BEGIN(14);
	myseal_stub_deliver(message);
	AVRIO_SECTION_END(14);
	fine &= myseal_verdict() == MYSEAL_OK && sets == 2 && myseal_stub_sent_count() == 1;

	len = command(frame, 1, GET_CHALLENGE, 1, false);
	AVRIO_SECTION_BEGIN(15);
	out = myseal_receive(millis(), 0, 1, frame, len, io);
	AVRIO_SECTION_END(15);
	fine &= out == 23 && myseal_challenge_state() == MYSEAL_CHALLENGE_FRESH;

	len = command(frame, 1, UNLOCK, sizeof UNLOCK, true);
	AVRIO_SECTION_BEGIN(16);
	out = myseal_receive(millis(), 0, 1, frame, len, io);
	AVRIO_SECTION_END(16);
	fine &= out == 18 && !seal.isLocked();

	// Wear: hot records per unlock, over whole turns of the ring.
	uint16_t records = 0;
	const uint16_t unlocks = 368;
	uint32_t now = millis();
	for (uint16_t i = 0; i < unlocks; i++) {
		const uint8_t before = myseal_store_sequence();
		now += 6000;
		myseal_poll(now, io);  // relocks the previous unlock
		len = command(frame, 1, GET_CHALLENGE, 1, false);
		myseal_receive(now, 0, 1, frame, len, io);
		len = command(frame, 1, UNLOCK, sizeof UNLOCK, true);
		fine &= myseal_receive(now, 0, 1, frame, len, io) == 18;
		records = (uint16_t)(records + (uint8_t)(myseal_store_sequence() - before));
	}
	avrio_puts_P(PSTR("eeprom records "));
	avrio_put_u32(records);
	avrio_puts_P(PSTR(" unlocks "));
	avrio_put_u32(unlocks);
	avrio_putc('\n');

	avrio_puts_P(fine ? PSTR("bench ok\n") : PSTR("bench FAIL\n"));
	avrio_exit(fine ? 0 : 1);
}
