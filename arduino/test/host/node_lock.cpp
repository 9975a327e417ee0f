/*
 * node_host lock: the node's state machine on the host, driven by a controller made of the
 * library's own frame functions. Groups:
 *   lock-pin-lockout   wrong PINs, lockout 60 s doubling to the 24 h cap, its survival across a
 *                      reset (restarted in full), expiry, a correct PIN resetting the doubling
 *   lock-counters      counters kept across resets, stale answers once per frame per boot, send
 *                      counters never reused, EEPROM use within MySeal's area
 *   lock-challenges    none after a reset, single use, the window (10 s, and a shorter one),
 *                      a newer challenge replacing an older one
 *   lock-commands      every BAD_REQUEST reason, sealed sets and guarded children, set-PIN,
 *                      key rotation (and its survival), a new flashed key starting over,
 *                      auto-relock, the button, reports, a node without a lock
 *   lock-wear          EEPROM writes per unlock, per cell, and the lifetime they give
 */
#include <string.h>

#include "myseal_frame.h"
#include "node_harness.h"

static const uint8_t KEY[16] = { 0x6d, 0x79, 0x73, 0x65, 0x61, 0x31, 0xc0, 0xff,
                                 0xee, 0x5e, 0xed, 0x01, 0x23, 0x45, 0x67, 0x89 };
static const uint8_t OTHER_KEY[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
static const uint32_t PIN = 0x1234ffffUL;

static const uint8_t GET_CHALLENGE[] = { MYSEAL_OP_GET_CHALLENGE };
static const uint8_t STATUS[] = { MYSEAL_OP_STATUS };
static const uint8_t LOCK[] = { MYSEAL_OP_LOCK };
static const uint8_t UNLOCK_RIGHT[] = { MYSEAL_OP_UNLOCK, 0x12, 0x34, 0xff, 0xff };
static const uint8_t UNLOCK_WRONG[] = { MYSEAL_OP_UNLOCK, 0x00, 0x00, 0xff, 0xff };

static struct controller new_controller(uint8_t node, const uint8_t *key)
{
	struct controller c;
	memset(&c, 0, sizeof c);
	c.node = node;
	memcpy(c.key, key, 16);
	return c;
}

static struct result status(struct controller *c)
{
	return exchange(c, 1, STATUS, 1, false);
}

static uint32_t lockout_of(const struct result &r)
{
	return r.status == MYSEAL_LOCK_STATUS ? myseal_be32(r.data + 2) : 0xffffffffUL;
}

/* Wrong PINs until the node answers LOCKED_OUT; returns the seconds it announced. */
static uint32_t lock_out(struct group *g, struct controller *c)
{
	for (int i = 0; i < 10; i++) {
		const struct result r = critical_exchange(c, 1, UNLOCK_WRONG, sizeof UNLOCK_WRONG);
		if (r.status == MYSEAL_LOCKED_OUT) {
			return myseal_be32(r.data);
		}
		CHECK(g, r.status == MYSEAL_WRONG_PIN);
	}
	CHECK(g, false);
	return 0;
}

static void group_pin_lockout(struct group *g)
{
	item_begin(g);
	fresh_node(5, KEY, PIN);
	struct controller c = new_controller(5, KEY);
	struct result r = critical_exchange(&c, 1, UNLOCK_RIGHT, sizeof UNLOCK_RIGHT);
	CHECK(g, r.status == MYSEAL_UNLOCKED && hooks.last_locked == false && !(NODE_FLAGS & 1));
	r = exchange(&c, 1, LOCK, 1, false);
	CHECK(g, r.status == MYSEAL_LOCKED && hooks.last_locked == true);
	item_end(g);

	// Four wrong PINs: 4, 3, 2, 1 attempts left, each answer with the next challenge (2 messages).
	item_begin(g);
	for (uint8_t left = 4; left >= 1; left--) {
		const bool had = c.has_challenge;
		r = critical_exchange(&c, 1, UNLOCK_WRONG, sizeof UNLOCK_WRONG);
		CHECK(g, r.status == MYSEAL_WRONG_PIN && r.data[0] == left && r.data_length == 6);
		CHECK(g, c.has_challenge && (left == 4 || had));
	}
	// The fifth: locked out for 60 s, and the PIN is not even compared while it runs.
	r = critical_exchange(&c, 1, UNLOCK_WRONG, sizeof UNLOCK_WRONG);
	CHECK(g, r.status == MYSEAL_LOCKED_OUT && myseal_be32(r.data) == 60);
	r = critical_exchange(&c, 1, UNLOCK_RIGHT, sizeof UNLOCK_RIGHT);
	CHECK(g, r.status == MYSEAL_LOCKED_OUT && myseal_be32(r.data) == 60);
	CHECK(g, !c.has_challenge);  // a lockout answer hands out no challenge
	harness_now += 30500;
	r = status(&c);
	CHECK(g, lockout_of(r) == 30 && r.data[1] == 0 && r.data[0] == 1);
	item_end(g);

	// A reset restarts the lockout in full: pulling the power does not shorten it.
	item_begin(g);
	reboot_node(KEY, PIN);
	r = status(&c);
	CHECK(g, lockout_of(r) == 60);
	harness_now += 59999;
	CHECK(g, lockout_of(status(&c)) == 1);
	r = critical_exchange(&c, 1, UNLOCK_RIGHT, sizeof UNLOCK_RIGHT);
	CHECK(g, r.status == MYSEAL_LOCKED_OUT && myseal_be32(r.data) == 1);
	harness_now += 1;
	r = status(&c);
	CHECK(g, lockout_of(r) == 0 && r.data[1] == 5);  // over: the attempts are back
	item_end(g);

	// The next lockout doubles; a correct PIN resets the doubling.
	item_begin(g);
	CHECK(g, lock_out(g, &c) == 120);
	harness_now += 120000;
	r = critical_exchange(&c, 1, UNLOCK_RIGHT, sizeof UNLOCK_RIGHT);
	CHECK(g, r.status == MYSEAL_UNLOCKED && NODE_LEVEL == 0);
	CHECK(g, lock_out(g, &c) == 60);
	item_end(g);

	// Doubling up to the cap of 24 h.
	item_begin(g);
	uint32_t expected = 60;
	for (int i = 0; i < 12; i++) {
		harness_now += expected * 1000;
		expected = expected * 2 > 86400 ? 86400 : expected * 2;
		CHECK(g, lock_out(g, &c) == expected);
	}
	CHECK(g, expected == 86400 && NODE_LEVEL == 13);
	reboot_node(KEY, PIN);
	CHECK(g, lockout_of(status(&c)) == 86400);
	item_end(g);

	// A wrong PIN on the last attempt: the attempt and the lockout are stored before the PIN is
	// compared (one record), so the EEPROM already says "locked out" when the answer goes out.
	item_begin(g);
	harness_now += 86400000UL;
	CHECK(g, lockout_of(status(&c)) == 0);
	for (int i = 0; i < 4; i++) {
		critical_exchange(&c, 1, UNLOCK_WRONG, sizeof UNLOCK_WRONG);
	}
	CHECK(g, NODE_ATTEMPTS == 1);
	const uint8_t seq_before = myseal_store_sequence();
	r = critical_exchange(&c, 1, UNLOCK_WRONG, sizeof UNLOCK_WRONG);
	CHECK(g, r.status == MYSEAL_LOCKED_OUT && (uint8_t)(myseal_store_sequence() - seq_before) == 1);
	item_end(g);
}

static void group_counters(struct group *g)
{
	item_begin(g);
	fresh_node(5, KEY, PIN);
	struct controller c = new_controller(5, KEY);
	uint8_t frames[6][MYSEAL_FRAME_MAX], lens[6], io[MYSEAL_FRAME_MAX];
	uint32_t highest_sent = 0;
	for (int i = 0; i < 6; i++) {
		lens[i] = seal_command(&c, 1, STATUS, 1, false, frames[i]);
		const uint8_t out = myseal_receive(harness_now, 0, 1, frames[i], lens[i], io);
		const struct result r = open_from_node(&c, 1, io, out);
		CHECK(g, r.status == MYSEAL_LOCK_STATUS && r.answers == (uint32_t)i + 1);
		highest_sent = r.counter;
	}
	CHECK(g, last_received() == 6);
	item_end(g);

	// After a reset: old frames are refused; each authentic stale one is answered once per boot
	// with the last counter accepted; never one below a stale frame already answered.
	item_begin(g);
	reboot_node(KEY, PIN);
	CHECK(g, last_received() == 6);
	CHECK(g, send_next() > highest_sent);  // send counters never reused
	CHECK(g, send_next() - highest_sent <= MYSEAL_SEND_RESERVE);
	uint8_t out = myseal_receive(harness_now, 0, 1, frames[4], lens[4], io);
	struct result r = open_from_node(&c, 1, io, out);
	CHECK(g, myseal_verdict() == REPLAYED_COUNTER && r.status == MYSEAL_STALE_COUNTER);
	CHECK(g, r.answers == 5 && myseal_be32(r.data) == 6 && r.counter > highest_sent);
	out = myseal_receive(harness_now, 0, 1, frames[4], lens[4], io);
	CHECK(g, myseal_verdict() == REPLAYED_COUNTER && out == 0);
	out = myseal_receive(harness_now, 0, 1, frames[2], lens[2], io);
	CHECK(g, myseal_verdict() == REPLAYED_COUNTER && out == 0);
	out = myseal_receive(harness_now, 0, 1, frames[5], lens[5], io);
	CHECK(g, myseal_verdict() == REPLAYED_COUNTER && out != 0);
	reboot_node(KEY, PIN);
	out = myseal_receive(harness_now, 0, 1, frames[5], lens[5], io);
	CHECK(g, myseal_verdict() == REPLAYED_COUNTER && out != 0);  // once per boot
	item_end(g);

	// Node counters across many resets: strictly increasing, never reused.
	item_begin(g);
	uint32_t last = 0;
	bool increasing = true;
	for (int boot = 0; boot < 40; boot++) {
		reboot_node(KEY, PIN);
		for (int i = 0; i < boot % 5; i++) {
			r = status(&c);
			increasing &= r.counter > last;
			last = r.counter;
		}
	}
	CHECK(g, increasing && last > 40);
	item_end(g);

	// Everything MySeal writes is inside its area.
	item_begin(g);
	const uint8_t *image = myseal_stub_eeprom();
	bool outside = false;
	for (long a = 0; a < MYSEAL_STUB_EEPROM_BYTES; a++) {
		const bool mine = a >= (long)HARNESS_EEPROM_BASE &&
		                  a < (long)HARNESS_EEPROM_BASE + MYSEAL_EEPROM_BYTES;
		outside |= !mine && image[a] != 0xff;
	}
	CHECK(g, !outside && HARNESS_EEPROM_BASE + MYSEAL_EEPROM_BYTES <= MYSEAL_STUB_EEPROM_BYTES);
	item_end(g);
}

static void group_challenges(struct group *g)
{
	uint8_t frame[MYSEAL_FRAME_MAX], second[MYSEAL_FRAME_MAX], io[MYSEAL_FRAME_MAX];
	item_begin(g);
	fresh_node(5, KEY, PIN);
	struct controller c = new_controller(5, KEY);
	exchange(&c, 1, GET_CHALLENGE, 1, false);
	reboot_node(KEY, PIN);  // forgets it
	uint8_t len = seal_command(&c, 1, UNLOCK_RIGHT, sizeof UNLOCK_RIGHT, true, frame);
	uint8_t out = myseal_receive(harness_now, 0, 1, frame, len, io);
	CHECK(g, myseal_verdict() == NO_CHALLENGE && out == 0);
	item_end(g);

	// Single use: a second frame bound to the same challenge is refused, answered with a new one.
	item_begin(g);
	exchange(&c, 1, GET_CHALLENGE, 1, false);
	uint8_t held[5];
	memcpy(held, c.challenge, 5);
	len = seal_command(&c, 1, UNLOCK_WRONG, sizeof UNLOCK_WRONG, true, frame);
	memcpy(c.challenge, held, 5);
	const uint8_t len2 = seal_command(&c, 1, UNLOCK_RIGHT, sizeof UNLOCK_RIGHT, true, second);
	out = myseal_receive(harness_now, 0, 1, frame, len, io);
	CHECK(g, myseal_verdict() == MYSEAL_OK && open_from_node(&c, 1, io, out).status == MYSEAL_WRONG_PIN);
	// The WRONG_PIN answer issued a new challenge: the second frame, bound to the old one, no
	// longer even authenticates.
	out = myseal_receive(harness_now, 0, 1, second, len2, io);
	CHECK(g, myseal_verdict() == AUTH_FAILED && out == 0);
	item_end(g);

	item_begin(g);
	exchange(&c, 1, GET_CHALLENGE, 1, false);
	memcpy(held, c.challenge, 5);
	len = seal_command(&c, 1, UNLOCK_RIGHT, sizeof UNLOCK_RIGHT, true, frame);
	memcpy(c.challenge, held, 5);
	const uint8_t len3 = seal_command(&c, 1, LOCK, sizeof LOCK, true, second);
	out = myseal_receive(harness_now, 0, 1, frame, len, io);
	struct result r = open_from_node(&c, 1, io, out);
	CHECK(g, myseal_verdict() == MYSEAL_OK && r.status == MYSEAL_UNLOCKED && !c.has_challenge);
	out = myseal_receive(harness_now, 0, 1, second, len3, io);  // same challenge, fresh counter
	r = open_from_node(&c, 1, io, out);
	CHECK(g, myseal_verdict() == CHALLENGE_USED && r.status == MYSEAL_CHALLENGE_EXPIRED_RESULT);
	CHECK(g, c.has_challenge && memcmp(c.challenge, held, 5) != 0);
	CHECK(g, hooks.last_locked == false);  // the refused frame did nothing
	r = exchange(&c, 1, LOCK, sizeof LOCK, true);  // the retry, with the new one: no extra trip
	CHECK(g, r.status == MYSEAL_LOCKED && hooks.last_locked);
	item_end(g);

	// The window: 10 s exactly is still in time, a millisecond more is not.
	item_begin(g);
	exchange(&c, 1, GET_CHALLENGE, 1, false);
	harness_now += 10000;
	CHECK(g, exchange(&c, 1, UNLOCK_RIGHT, sizeof UNLOCK_RIGHT, true).status == MYSEAL_UNLOCKED);
	exchange(&c, 1, GET_CHALLENGE, 1, false);
	harness_now += 10001;
	len = seal_command(&c, 1, UNLOCK_RIGHT, sizeof UNLOCK_RIGHT, true, frame);  // delayed release
	out = myseal_receive(harness_now, 0, 1, frame, len, io);
	r = open_from_node(&c, 1, io, out);
	CHECK(g, myseal_verdict() == CHALLENGE_EXPIRED && r.status == MYSEAL_CHALLENGE_EXPIRED_RESULT);
	CHECK(g, exchange(&c, 1, UNLOCK_RIGHT, sizeof UNLOCK_RIGHT, true).status == MYSEAL_UNLOCKED);
	item_end(g);

	// A shorter window, and a newer challenge making an older one useless.
	item_begin(g);
	myseal_challenge_window(2000);
	exchange(&c, 1, GET_CHALLENGE, 1, false);
	harness_now += 2001;
	CHECK(g, exchange(&c, 1, UNLOCK_RIGHT, sizeof UNLOCK_RIGHT, true).status ==
	             MYSEAL_CHALLENGE_EXPIRED_RESULT);
	memcpy(held, c.challenge, 5);
	exchange(&c, 1, GET_CHALLENGE, 1, false);
	memcpy(c.challenge, held, 5);
	len = seal_command(&c, 1, UNLOCK_RIGHT, sizeof UNLOCK_RIGHT, true, frame);
	out = myseal_receive(harness_now, 0, 1, frame, len, io);
	CHECK(g, myseal_verdict() == AUTH_FAILED && out == 0);
	myseal_challenge_window(MYSEAL_DEFAULT_CHALLENGE_WINDOW_MS);
	item_end(g);
}

static uint8_t bad_request(struct controller *c, uint8_t child, const uint8_t *body, uint8_t n,
                           bool critical)
{
	const struct result r = critical ? critical_exchange(c, child, body, n)
	                                 : exchange(c, child, body, n, false);
	return r.status == MYSEAL_BAD_REQUEST && r.data_length == 1 ? r.data[0] : 0;
}

static void group_commands(struct group *g)
{
	item_begin(g);
	fresh_node(5, KEY, PIN);
	struct controller c = new_controller(5, KEY);
	const uint8_t op0[] = { 0x00 }, op8[] = { 0x08 }, long_status[] = { MYSEAL_OP_STATUS, 0 };
	const uint8_t bad_pin[] = { MYSEAL_OP_UNLOCK, 0x12, 0x3f, 0xff, 0xff };
	const uint8_t bad_new_pin[] = { MYSEAL_OP_SET_PIN, 0x12, 0x34, 0xff, 0xff, 0x1a, 0x34, 0xff, 0xff };
	const uint8_t short_unlock[] = { MYSEAL_OP_UNLOCK, 0x12, 0x34, 0xff };
	const uint8_t set_bad_type[] = { MYSEAL_OP_SET, 2, 9, 1 };
	const uint8_t set_bad_size[] = { MYSEAL_OP_SET, 2, 1, 1, 0 };
	const uint8_t set_semicolon[] = { MYSEAL_OP_SET, 47, 0, 'a', ';' };
	const uint8_t set_no_type[] = { MYSEAL_OP_SET, 2 };
	CHECK(g, bad_request(&c, 1, op0, 1, false) == MYSEAL_UNKNOWN_OP);
	CHECK(g, bad_request(&c, 1, op8, 1, false) == MYSEAL_UNKNOWN_OP);
	CHECK(g, bad_request(&c, 1, long_status, 2, false) == MYSEAL_BAD_LENGTH);
	CHECK(g, bad_request(&c, 1, short_unlock, 4, true) == MYSEAL_BAD_LENGTH);
	CHECK(g, bad_request(&c, 1, UNLOCK_RIGHT, 5, false) == MYSEAL_CHALLENGE_REQUIRED);
	CHECK(g, bad_request(&c, 1, bad_pin, 5, true) == MYSEAL_BAD_PIN);
	CHECK(g, bad_request(&c, 1, bad_new_pin, 9, true) == MYSEAL_BAD_PIN);
	CHECK(g, bad_request(&c, 2, STATUS, 1, false) == MYSEAL_NOT_SUPPORTED);
	CHECK(g, bad_request(&c, 2, UNLOCK_RIGHT, 5, true) == MYSEAL_NOT_SUPPORTED);
	CHECK(g, bad_request(&c, 2, set_bad_type, 4, false) == MYSEAL_BAD_VALUE);
	CHECK(g, bad_request(&c, 2, set_bad_size, 5, false) == MYSEAL_BAD_VALUE);
	CHECK(g, bad_request(&c, 2, set_semicolon, 5, false) == MYSEAL_BAD_VALUE);
	CHECK(g, bad_request(&c, 2, set_no_type, 2, false) == MYSEAL_BAD_VALUE);
	CHECK(g, NODE_ATTEMPTS == 5);  // a malformed PIN is not an attempt
	item_end(g);

	// Sealed sets: the sketch takes them or not; guarded children want a challenge.
	item_begin(g);
	myseal_guard_children(1u << 3);
	hooks.accept_children = (1u << 2) | (1u << 3);
	const uint8_t set_on[] = { MYSEAL_OP_SET, 2, 1, 1 };
	const uint8_t set_text[] = { MYSEAL_OP_SET, 47, 0, 'H', 'E', 'L', 'L', 'O', '-', '1', '2', '3' };
	struct result r = exchange(&c, 2, set_on, 4, false);
	CHECK(g, r.status == MYSEAL_DONE && hooks.set_child == 2 && hooks.set_type == 2);
	CHECK(g, hooks.set_payload_type == 1 && hooks.set_length == 1 && hooks.set_value[0] == 1);
	r = exchange(&c, 2, set_text, sizeof set_text, false);
	CHECK(g, r.status == MYSEAL_DONE && hooks.set_length == 9 && memcmp(hooks.set_value, "HELLO-123", 9) == 0);
	CHECK(g, bad_request(&c, 4, set_on, 4, false) == MYSEAL_NOT_SUPPORTED);
	CHECK(g, bad_request(&c, 3, set_on, 4, false) == MYSEAL_CHALLENGE_REQUIRED);
	const int sets = hooks.sets;
	r = critical_exchange(&c, 3, set_on, 4);
	CHECK(g, r.status == MYSEAL_DONE && hooks.set_child == 3 && hooks.sets == sets + 1);
	item_end(g);

	// Set-PIN: the old PIN is an attempt like any other; the new one works from then on.
	item_begin(g);
	const uint8_t set_pin[] = { MYSEAL_OP_SET_PIN, 0x12, 0x34, 0xff, 0xff, 0x90, 0x81, 0x72, 0xff };
	const uint8_t set_pin_wrong[] = { MYSEAL_OP_SET_PIN, 0x11, 0x11, 0xff, 0xff, 0x22, 0x22, 0xff, 0xff };
	const uint8_t unlock_new[] = { MYSEAL_OP_UNLOCK, 0x90, 0x81, 0x72, 0xff };
	r = critical_exchange(&c, 1, set_pin_wrong, sizeof set_pin_wrong);
	CHECK(g, r.status == MYSEAL_WRONG_PIN && r.data[0] == 4);
	r = critical_exchange(&c, 1, set_pin, sizeof set_pin);
	CHECK(g, r.status == MYSEAL_DONE && NODE_ATTEMPTS == 5);
	CHECK(g, critical_exchange(&c, 1, UNLOCK_RIGHT, 5).status == MYSEAL_WRONG_PIN);
	CHECK(g, critical_exchange(&c, 1, unlock_new, 5).status == MYSEAL_UNLOCKED);
	reboot_node(KEY, PIN);
	CHECK(g, critical_exchange(&c, 1, unlock_new, 5).status == MYSEAL_UNLOCKED);
	item_end(g);

	// Key rotation: DONE comes under the new key, which survives a reset; the old one is dead.
	item_begin(g);
	const uint8_t rotate[] = { MYSEAL_OP_ROTATE_KEY, 0x5e, 0xed, 0x5e, 0xed, 1, 2, 3, 4, 5, 6, 0x0a };
	uint8_t rotated[16];
	myseal_derive(myseal_store_key(), rotated, 16, MYSEAL_DOMAIN_ROTATION, rotate[1], rotate + 2, 10);  // current key
	r = critical_exchange(&c, 1, rotate, sizeof rotate);
	CHECK(g, r.status == -1);  // not under the old key
	CHECK(g, memcmp(myseal_store_key(), rotated, 16) == 0);
	struct controller c2 = new_controller(5, rotated);
	c2.counter = c.counter;
	reboot_node(KEY, PIN);
	CHECK(g, memcmp(myseal_store_key(), rotated, 16) == 0);
	CHECK(g, status(&c2).status == MYSEAL_LOCK_STATUS);
	uint8_t frame[MYSEAL_FRAME_MAX], io[MYSEAL_FRAME_MAX];
	const uint8_t len = seal_command(&c, 1, STATUS, 1, false, frame);
	c.counter = c2.counter;
	CHECK(g, myseal_receive(harness_now, 0, 1, frame, len, io) == 0 && myseal_verdict() == AUTH_FAILED);
	item_end(g);

	// The sketch flashed again with the same key: nothing changes. With a new key: start over.
	item_begin(g);
	const uint32_t last = last_received();
	reboot_node(KEY, PIN);
	CHECK(g, last_received() == last && memcmp(myseal_store_key(), rotated, 16) == 0);
	reboot_node(OTHER_KEY, 0x0000ffffUL);
	CHECK(g, last_received() == 0 && memcmp(myseal_store_key(), OTHER_KEY, 16) == 0);
	CHECK(g, send_next() == 1 && myseal_store_pin()[0] == 0 && myseal_store_pin()[1] == 0);
	struct controller c3 = new_controller(5, OTHER_KEY);
	const uint8_t unlock_0000[] = { MYSEAL_OP_UNLOCK, 0x00, 0x00, 0xff, 0xff };
	CHECK(g, critical_exchange(&c3, 1, unlock_0000, 5).status == MYSEAL_UNLOCKED);
	item_end(g);

	// Auto-relock, the button and reports: sealed V_LOCK_STATUS reports on the lock's child.
	item_begin(g);
	myseal_lock_relock(5000);
	CHECK(g, critical_exchange(&c3, 1, unlock_0000, 5).status == MYSEAL_UNLOCKED);
	harness_now += 4999;
	CHECK(g, myseal_poll(harness_now, io) == 0);
	harness_now += 1;
	uint8_t out = myseal_poll(harness_now, io);
	r = open_from_node(&c3, 1, io, out);
	CHECK(g, r.report && r.body_length == 3 && r.body[0] == 36 && r.body[1] == 1 && r.body[2] == 1);
	CHECK(g, hooks.last_locked && (NODE_FLAGS & MYSEAL_FLAG_LOCKED));
	CHECK(g, myseal_poll(harness_now + 10000, io) == 0);
	out = myseal_set_locked(harness_now, 0, io);  // the button
	r = open_from_node(&c3, 1, io, out);
	CHECK(g, r.report && r.body[2] == 0 && !hooks.last_locked);
	myseal_lock_relock(0);
	const uint8_t tripped = 1;
	out = myseal_report(4, 16, 1, &tripped, 1, io);
	r = open_from_node(&c3, 4, io, out);
	CHECK(g, r.report && r.body[0] == 16 && r.body[2] == 1);
	const char text[] = "door:ajar!!";
	out = myseal_report(6, 47, 0, text, 11, io);  // cut to the largest: 10 bytes
	r = open_from_node(&c3, 6, io, out);
	CHECK(g, out == MYSEAL_FRAME_MAX && r.report && r.body_length == 12);
	item_end(g);

	// A node without a lock: the lock's commands are refused on every child.
	item_begin(g);
	myseal_route_lock(0, 0);  // what a sketch without lockChild() has
	CHECK(g, bad_request(&c3, 1, STATUS, 1, false) == MYSEAL_NOT_SUPPORTED);
	CHECK(g, bad_request(&c3, 0xff, STATUS, 1, false) == MYSEAL_NOT_SUPPORTED);
	CHECK(g, bad_request(&c3, 0, STATUS, 1, false) == MYSEAL_NOT_SUPPORTED);
	CHECK(g, exchange(&c3, 0xff, GET_CHALLENGE, 1, false).status == MYSEAL_CHALLENGE);
	CHECK(g, myseal_poll(harness_now + 60000, io) == 0);
	myseal_lock_enable(1);
	item_end(g);
}

/* EEPROM writes per cell over many unlocks: the wear figure of the README and the bench. */
static uint16_t cell_writes[MYSEAL_EEPROM_BYTES];
static void count_write(uint16_t address, uint8_t value)
{
	(void)value;
	const uint16_t at = (uint16_t)(address - HARNESS_EEPROM_BASE);
	if (at < MYSEAL_EEPROM_BYTES) {
		cell_writes[at]++;
	}
}

/* n / d with `places` decimals, as "12.345" (no floating point: the chip's printf has none). */
static void print_ratio(const char *name, uint32_t n, uint32_t d, uint8_t places)
{
	uint32_t scale = 1;
	for (uint8_t i = 0; i < places; i++) {
		scale *= 10;
	}
	const uint64_t scaled = ((uint64_t)n * scale + d / 2) / d;
	printf(" %s %lu.", name, (unsigned long)(scaled / scale));
	for (uint32_t digit = scale / 10; digit != 0; digit /= 10) {
		printf("%u", (unsigned)(scaled / digit % 10));
	}
}

static void group_wear(struct group *g)
{
	item_begin(g);
	fresh_node(5, KEY, PIN);
	myseal_lock_relock(5000);
	struct controller c = new_controller(5, KEY);
	memset(cell_writes, 0, sizeof cell_writes);
	myseal_stub_eeprom_before_write = count_write;
	const uint32_t writes_before = myseal_stub_eeprom_writes();
	const int unlocks = MYSEAL_WEAR_UNLOCKS;  // whole turns of the ring and of the reservations
	uint32_t records = 0;
	uint8_t io[MYSEAL_FRAME_MAX];
	for (int i = 0; i < unlocks; i++) {
		const uint8_t seq = myseal_store_sequence();
		c.has_challenge = false;  // the daemon fetches one for every unlock
		CHECK(g, critical_exchange(&c, 1, UNLOCK_RIGHT, 5).status == MYSEAL_UNLOCKED);
		harness_now += 5000;
		CHECK(g, open_from_node(&c, 1, io, myseal_poll(harness_now, io)).report);
		records += (uint8_t)(myseal_store_sequence() - seq);
	}
	myseal_stub_eeprom_before_write = NULL;
	uint32_t busiest = 0;
	for (int a = 0; a < MYSEAL_EEPROM_BYTES; a++) {
		busiest = cell_writes[a] > busiest ? cell_writes[a] : busiest;
	}
	// years = endurance / (writes of the busiest cell per unlock * 50 a day * 365.25 days)
	const uint32_t years_n = 100000UL * 4 * (uint32_t)unlocks, years_d = busiest * 50 * 1461;
	printf("wear");
	print_ratio("records-per-unlock", records, (uint32_t)unlocks, 3);
	print_ratio("bytes-per-unlock", myseal_stub_eeprom_writes() - writes_before, (uint32_t)unlocks, 2);
	print_ratio("busiest-cell-per-unlock", busiest, (uint32_t)unlocks, 4);
	print_ratio("years-at-50-a-day", years_n, years_d, 1);
	printf("\n");
	CHECK(g, records <= (uint32_t)unlocks * 4 + unlocks * 3 / 16 + 1);
	CHECK(g, years_n >= 20 * years_d);
	myseal_lock_relock(0);
	item_end(g);
}

int run_lock(void)
{
	struct group pin = { "lock-pin-lockout", 0, 0, 0, 0, false };
	struct group counters = { "lock-counters", 0, 0, 0, 0, false };
	struct group challenges = { "lock-challenges", 0, 0, 0, 0, false };
	struct group commands = { "lock-commands", 0, 0, 0, 0, false };
	struct group wear = { "lock-wear", 0, 0, 0, 0, false };
	group_pin_lockout(&pin);
	group_counters(&counters);
	group_challenges(&challenges);
	group_commands(&commands);
	group_wear(&wear);
	const uint32_t failed = group_end(&pin) + group_end(&counters) + group_end(&challenges) +
	                        group_end(&commands) + group_end(&wear);
	return failed == 0 ? 0 : 1;
}
