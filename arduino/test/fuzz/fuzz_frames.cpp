/*
 * libFuzzer target for the node's whole receive path (host build, clang++
 * -fsanitize=fuzzer,address,undefined): arbitrary frames, MySensors headers, timing, resets,
 * button presses and reports against one node, whose state the input drives.
 *
 * Input: a settings byte, then records until the input ends:
 *   settings  bit 0: frames are sealed here with the node's key (so they get past the tag and
 *             reach the commands, the PINs, the lockouts); bit 1: the node starts out holding the
 *             challenge of the golden vectors (443293B834); bit 2: auto-relock after 5 s;
 *             bit 3: child 3 guarded; bits 4-5: challenge window 10 s, 2 s, 1 ms, 65 s
 *   record    action (1 byte, low 2 bits), then what the action reads:
 *     0 frame    sender (1), child (1), length n (1), n bytes; sealed: header bit (1: CRITICAL),
 *                counter (4), then the body (n bytes, 1-12), bound to the challenge the node holds
 *     1 time     advances the clock by (action >> 2) * 997 ms
 *     2 local    the button (action bit 2), else a report of the next byte
 *     3 reset    the node restarts from its EEPROM
 *
 * Checked after every step (a failed check aborts, which libFuzzer reports as a crash):
 *   - a frame refused before its tag verified (or a stale one already answered, or counter 0) gets
 *     no answer and writes nothing to EEPROM;
 *   - every frame the node sends opens under its key (the one it holds after the step) with the
 *     nonce the controller rebuilds, and node counters strictly increase, across resets too;
 *   - the last accepted counter never goes down, and a frame is accepted only above it;
 *   - the verdict is one of the enum's.
 *
 * The seed corpus (test/fuzz/frames-corpus) holds a few sealed command sequences; fuzz.test.ts adds
 * the golden vectors' frames from the vector file, one per seed (settings 0x02).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "myseal_ccm.h"
#include "myseal_frame.h"
#include "myseal_node.h"
#include "eeprom_stub.h"

static const uint8_t KEY[16] = { 0x6d, 0x79, 0x73, 0x65, 0x61, 0x31, 0xc0, 0xff,
                                 0xee, 0x5e, 0xed, 0x01, 0x23, 0x45, 0x67, 0x89 };
static const uint8_t VECTOR_CHALLENGE[5] = { 0x44, 0x32, 0x93, 0xb8, 0x34 };

void mysealLockChanged(bool locked)
{
	(void)locked;
}

bool mysealSet(uint8_t child, uint8_t type, uint8_t payloadType, const uint8_t *value,
               uint8_t length)
{
	return child == 2 && length <= 9 && (type ^ payloadType ^ (length ? value[0] : 0)) != 0xff;
}

static const uint8_t *last_received(void)
{
	return myseal_store_hot() + MYSEAL_HOT_LAST_RECEIVED;
}

static void check(bool condition)
{
	if (!condition) {
		abort();
	}
}

static uint32_t last_sent;  // highest node counter sent so far

/* A frame from the node must open at the controller, above every counter it sent before. */
static void check_sent(const uint8_t *io, uint8_t len, uint8_t child)
{
	if (len == 0) {
		return;
	}
	check(len >= MYSEAL_FRAME_MIN && len <= MYSEAL_FRAME_MAX);
	check(io[0] == MYSEAL_HEADER_RESULT || io[0] == MYSEAL_HEADER_REPORT);
	uint8_t nonce[13], body[12];
	myseal_nonce(nonce, io, 5, 0, child, NULL);
	const uint8_t n = (uint8_t)(len - MYSEAL_OVERHEAD);
	check(myseal_ccm_open(myseal_store_key(), nonce, io + 5, n, io + 5 + n, body));
	const uint32_t counter = myseal_be32(io + 1);
	check(counter > last_sent);
	last_sent = counter;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1) {
		return 0;
	}
	const uint8_t settings = data[0];
	size_t at = 1;
	uint32_t now = 1000000;
	last_sent = 0;

	myseal_stub_eeprom_erase();
	myseal_lock_enable(1);
	myseal_guard_children((settings & 8) ? (1u << 3) : 0);
	myseal_lock_max_attempts(5);
	myseal_lock_lockout(60000, 86400000);
	static const uint16_t windows[4] = { 10000, 2000, 1, 65000 };
	myseal_challenge_window(windows[(settings >> 4) & 3]);
	myseal_lock_relock((settings & 4) ? 5000 : 0);
	myseal_begin(5, now, KEY, 0x1234ffffUL);
	if (settings & 2) {
		myseal_challenge_hold(VECTOR_CHALLENGE, now, MYSEAL_CHALLENGE_FRESH);
	}

	while (at < size) {
		const uint8_t action = data[at++];
		uint8_t io[MYSEAL_FRAME_MAX];
		switch (action & 3) {
		case 0: {
			if (size - at < 3) {
				return 0;
			}
			const uint8_t sender = data[at], child = data[at + 1];
			uint8_t n = data[at + 2];
			at += 3;
			uint8_t frame[64];
			uint8_t len;
			if (settings & 1) {
				if (size - at < 5 || n == 0) {
					return 0;
				}
				n = (uint8_t)(n % MYSEAL_BODY_MAX + 1);
				const bool critical = data[at] & 1;
				frame[0] = critical ? MYSEAL_HEADER_CRITICAL : MYSEAL_HEADER_COMMAND;
				memcpy(frame + 1, data + at + 1, 4);
				at += 5;
				if (size - at < n) {
					return 0;
				}
				memcpy(frame + 5, data + at, n);
				at += n;
				len = myseal_frame_seal(myseal_store_key(), frame, n, sender, 5, child,
				                        critical ? myseal_challenge() : NULL);
			} else {
				if (n > sizeof frame || size - at < n) {
					return 0;
				}
				memcpy(frame, data + at, n);
				at += n;
				len = n;
			}
			uint8_t before[MYSEAL_STUB_EEPROM_BYTES], last_before[4];
			memcpy(before, myseal_stub_eeprom(), sizeof before);
			memcpy(last_before, last_received(), 4);
			const uint8_t out = myseal_receive(now, sender, child, frame, len, io);
			const uint8_t v = myseal_verdict();
			check(v <= CHALLENGE_EXPIRED);
			check(memcmp(last_received(), last_before, 4) >= 0);
			if (v == MYSEAL_OK || v == CHALLENGE_USED || v == CHALLENGE_EXPIRED) {
				check(memcmp(frame + 1, last_before, 4) > 0);  // accepted only above the last
				check(memcmp(last_received(), frame + 1, 4) == 0);
			} else if (v != REPLAYED_COUNTER || out == 0) {
				check(out == 0);
				check(memcmp(before, myseal_stub_eeprom(), sizeof before) == 0);
			}
			check_sent(io, out, child);
			break;
		}
		case 1:
			now += (uint32_t)(action >> 2) * 997u;
			check_sent(io, myseal_poll(now, io), myseal_lock_child());
			break;
		case 2:
			if (action & 4) {
				check_sent(io, myseal_set_locked(now, !myseal_is_locked(), io), myseal_lock_child());
			} else if (at < size) {
				const uint8_t value = data[at++];
				check_sent(io, myseal_report(4, 16, 1, &value, 1, io), 4);
			}
			break;
		default: {
			uint8_t last_before[4];
			memcpy(last_before, last_received(), 4);
			myseal_begin(5, now, KEY, 0x1234ffffUL);
			check(memcmp(last_received(), last_before, 4) >= 0);
			const uint32_t next = myseal_be32(myseal_send_next());
			check(next > last_sent || next == 0);
			break;
		}
		}
	}
	return 0;
}
