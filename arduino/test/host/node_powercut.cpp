/*
 * node_host powercut: the power cut at every step of every EEPROM write.
 *
 * A script of a lock's life (first boot, status, five wrong PINs into a lockout, its end, an
 * unlock, auto-relock, the button, set-PIN, key rotation, a sealed set, a reset, stale replays,
 * more PINs) runs once to count the bytes it writes, W. Then for every k < W and three ways a
 * cell can be left (not written, erased to FF, garbage), it runs again from a blank EEPROM and the
 * power goes at the (k+1)-th byte: that byte is torn, nothing after it happens. (On the chip,
 * every MYSEAL_CUT_STRIDE-th k.) The node boots
 * from the image, and:
 *   - it never accepts an old counter again: every frame it had finished with is refused when
 *     replayed, and so is the frame cut short if it had already moved the lock or a relay;
 *   - it never reuses a send counter: its next counter is above every counter it had sent, and
 *     its next answers open at the controller (which refuses counters it has seen);
 *   - it never loses the key: it holds the key from before the interrupted step or the one that
 *     step was installing (a rotation), and opens frames under it;
 *   - it never bricks: a controller that knows both keys and both PINs gets a status answer, and
 *     then (unless a lockout runs) unlocks;
 *   - a lockout is never shortened: one running before the cut runs again in full after it, an
 *     interrupted wrong PIN leaves the attempts as they were or one fewer (with the lockout it
 *     brings), and the lockout level never drops except by a correct PIN.
 * Each (k, way) is one item of the "powercut" group; all of it runs twice, with the EEPROM writing
 * each block last byte first (as avr-libc does) and first to last (myseal_storage.h).
 */
#include <setjmp.h>
#include <string.h>

#include "myseal_frame.h"
#include "node_harness.h"

static const uint8_t KEY[16] = { 0x6d, 0x79, 0x73, 0x65, 0x61, 0x31, 0xc0, 0xff,
                                 0xee, 0x5e, 0xed, 0x01, 0x23, 0x45, 0x67, 0x89 };
static const uint32_t FIRST_PIN = 0x1234ffffUL;
static const uint8_t PIN_1234[4] = { 0x12, 0x34, 0xff, 0xff };
static const uint8_t PIN_NEW[4] = { 0x90, 0x81, 0x72, 0xff };
static const uint8_t PIN_WRONG[4] = { 0x00, 0x00, 0xff, 0xff };
static const uint8_t SEED[11] = { 0x5e, 0xed, 0x5e, 0xed, 1, 2, 3, 4, 5, 6, 0x0a };

/* Where a cut lands: the script is left at once (nothing in the library holds resources). */
static jmp_buf power_cut;

/*
 * Every PIN comparison goes through here (the test is linked with --wrap=myseal_ct_equal): a
 * step that compared a PIN must have stored the attempt before, or a cut right after the
 * comparison would give the try back.
 */
extern "C" bool __real_myseal_ct_equal(const uint8_t *a, const uint8_t *b, uint8_t len);
static int comparisons;
extern "C" bool __wrap_myseal_ct_equal(const uint8_t *a, const uint8_t *b, uint8_t len)
{
	comparisons++;
	return __real_myseal_ct_equal(a, b, len);
}

/* The cut: after `allowed` byte writes, the next one is torn (how: `way`) and the power goes. */
static uint32_t written, allowed;
static int way;
static bool cutting;

static void before_write(uint16_t address, uint8_t value)
{
	if (cutting && written == allowed) {
		uint8_t *image = myseal_stub_eeprom();
		if (way == 1) {
			image[address] = 0xff;  // erased, not yet programmed
		} else if (way == 2) {
			image[address] = (uint8_t)(value ^ (0x5a + allowed));  // half programmed
		}
		longjmp(power_cut, 1);
	}
	written++;
}

/* What the controller and an observer know about the node, kept as the script runs. */
struct truth {
	struct controller c;
	uint8_t key_before[16], key_after[16];
	uint8_t pin_before[4], pin_after[4];
	uint32_t max_sent;            // highest node counter seen in any frame it sent
	uint8_t frames[64][MYSEAL_FRAME_MAX];
	uint8_t lens[64], children[64];
	int done;                     // frames the node finished with
	uint8_t current[MYSEAL_FRAME_MAX], current_len, current_child;
	bool in_frame;                // the cut came while this frame was being processed
	int hooks_before;             // hook calls before the step
	int comparisons_before;       // PIN comparisons before the step
	/* node state before the step that was cut */
	uint8_t attempts, level, flags;
	uint32_t lockout_s;
	bool correct_pin_step;
	bool booting;
};

static struct truth t;

/* A step begins: what the node holds now is what a cut in this step may fall back to. */
static void step(bool correct_pin)
{
	memcpy(t.key_before, myseal_store_key(), 16);
	memcpy(t.key_after, myseal_store_key(), 16);
	memcpy(t.pin_before, myseal_store_pin(), 4);
	memcpy(t.pin_after, myseal_store_pin(), 4);
	t.attempts = NODE_ATTEMPTS;
	t.level = NODE_LEVEL;
	t.flags = NODE_FLAGS;
	// The lockout still to run at this moment. (Looking makes the node notice one that is over,
	// as any lock command does first: it gives the attempts back, stored with the next record.)
	t.lockout_s = myseal_lockout_seconds(harness_now);
	if (t.lockout_s == 0) {
		t.flags &= (uint8_t)~MYSEAL_FLAG_IN_LOCKOUT;  // over, whether or not it noticed yet
	}
	t.correct_pin_step = correct_pin;
	t.hooks_before = hooks.lock_changes + hooks.sets + comparisons;
	t.comparisons_before = comparisons;
}

static void took(const uint8_t *io, uint8_t len)
{
	if (len != 0) {
		const uint32_t counter = myseal_be32(io + 1);
		t.max_sent = counter > t.max_sent ? counter : t.max_sent;
	}
}

static struct result send_frame(uint8_t child, const uint8_t *body, uint8_t n, bool critical)
{
	uint8_t io[MYSEAL_FRAME_MAX];
	t.current_len = seal_command(&t.c, child, body, n, critical, t.current);
	t.current_child = child;
	t.in_frame = true;
	const uint8_t out = myseal_receive(harness_now, 0, child, t.current, t.current_len, io);
	t.in_frame = false;
	took(io, out);
	if (t.done < 64) {
		memcpy(t.frames[t.done], t.current, t.current_len);
		t.lens[t.done] = t.current_len;
		t.children[t.done++] = child;
	}
	return open_from_node(&t.c, child, io, out);
}

/* GET_CHALLENGE, as its own step, when the controller holds none. */
static void challenge_for(uint8_t child)
{
	if (!t.c.has_challenge) {
		const uint8_t get = MYSEAL_OP_GET_CHALLENGE;
		step(false);
		send_frame(child, &get, 1, false);
	}
}

static struct result unlock_with(const uint8_t pin[4], bool correct)
{
	uint8_t body[5] = { MYSEAL_OP_UNLOCK };
	memcpy(body + 1, pin, 4);
	challenge_for(1);
	step(correct);
	return send_frame(1, body, 5, true);
}

/* The script. Every step is deterministic, so each run repeats the same writes up to the cut. */
static void script(void)
{
	memset(&t, 0, sizeof t);
	t.c.node = 5;
	memcpy(t.c.key, KEY, 16);
	harness_now = 1000000;
	memset(&hooks, 0, sizeof hooks);
	hooks.accept_children = 1u << 2;

	myseal_stub_eeprom_erase();
	reset_config();
	myseal_lock_relock(5000);
	t.booting = true;
	memcpy(t.key_before, KEY, 16);
	memcpy(t.key_after, KEY, 16);
	memcpy(t.pin_before, PIN_1234, 4);
	memcpy(t.pin_after, PIN_1234, 4);
	myseal_begin(5, harness_now, KEY, FIRST_PIN);
	t.booting = false;

	const uint8_t status = MYSEAL_OP_STATUS;
	step(false);
	send_frame(1, &status, 1, false);
	for (int i = 0; i < 5; i++) {
		unlock_with(PIN_WRONG, false);  // into a lockout
	}
	harness_now += 60000;
	unlock_with(PIN_1234, true);  // after it
	harness_now += 5000;
	uint8_t io[MYSEAL_FRAME_MAX];
	step(false);
	took(io, myseal_poll(harness_now, io));  // auto-relock, reported
	step(false);
	took(io, myseal_set_locked(harness_now, 0, io));  // the button
	const uint8_t set_pin[9] = { MYSEAL_OP_SET_PIN, 0x12, 0x34, 0xff, 0xff, 0x90, 0x81, 0x72, 0xff };
	challenge_for(1);
	step(true);
	memcpy(t.pin_after, PIN_NEW, 4);
	send_frame(1, set_pin, 9, true);
	memcpy(t.pin_before, PIN_NEW, 4);

	uint8_t rotate[12] = { MYSEAL_OP_ROTATE_KEY };
	memcpy(rotate + 1, SEED, 11);
	uint8_t next_key[16];
	myseal_derive(myseal_store_key(), next_key, 16, MYSEAL_DOMAIN_ROTATION, SEED[0], SEED + 1, 10);
	challenge_for(1);
	step(false);
	memcpy(t.key_after, next_key, 16);
	t.current_len = 0;
	{
		t.current_len = seal_command(&t.c, 1, rotate, 12, true, t.current);
		t.current_child = 1;
		t.in_frame = true;
		const uint8_t out = myseal_receive(harness_now, 0, 1, t.current, t.current_len, io);
		t.in_frame = false;
		took(io, out);
		memcpy(t.frames[t.done], t.current, t.current_len);
		t.lens[t.done] = t.current_len;
		t.children[t.done++] = 1;
		memcpy(t.c.key, next_key, 16);  // the controller commits on the answer under K'
		open_from_node(&t.c, 1, io, out);
	}
	const uint8_t set_relay[4] = { MYSEAL_OP_SET, 2, 1, 1 };
	step(false);
	send_frame(2, set_relay, 4, false);
	for (uint8_t i = 0; i < 20; i++) {
		// A door contact: reports with nothing else to store, across a reservation boundary.
		step(false);
		took(io, myseal_report(4, 16, 1, &i, 1, io));
	}

	step(false);
	t.booting = true;
	myseal_begin(5, harness_now, KEY, FIRST_PIN);  // a reset, with nothing cut
	t.booting = false;
	step(false);
	send_frame(1, &status, 1, false);
	step(false);
	took(io, myseal_receive(harness_now, 0, 1, t.frames[1], t.lens[1], io));  // a stale replay
	unlock_with(PIN_1234, false);  // the old PIN is wrong now
	unlock_with(PIN_NEW, true);
}

static void check_after_cut(struct group *g)
{
	const int lock_changes = hooks.lock_changes + hooks.sets + comparisons;
	const bool acted = lock_changes != t.hooks_before;
	reboot_node(KEY, FIRST_PIN);

	// The key: the one before the step, or the one it was installing.
	const bool old_key = memcmp(myseal_store_key(), t.key_before, 16) == 0;
	const bool new_key = memcmp(myseal_store_key(), t.key_after, 16) == 0;
	CHECK(g, old_key || new_key);
	CHECK(g, memcmp(myseal_store_pin(), t.pin_before, 4) == 0 || memcmp(myseal_store_pin(), t.pin_after, 4) == 0);

	// Send counters: above everything sent.
	CHECK(g, send_next() > t.max_sent);

	// Lockouts: never shorter, attempts never given back without a correct PIN.
	if (!t.booting) {
		if (t.flags & MYSEAL_FLAG_IN_LOCKOUT) {
			const uint32_t left = myseal_lockout_seconds(harness_now);
			CHECK(g, (NODE_FLAGS & MYSEAL_FLAG_IN_LOCKOUT) &&
			             left * 1000 == myseal_lockout_duration() && left >= t.lockout_s);
		}
		if (!t.correct_pin_step) {
			CHECK(g, NODE_ATTEMPTS <= t.attempts || (t.flags & MYSEAL_FLAG_IN_LOCKOUT));
			CHECK(g, NODE_LEVEL >= t.level);
			CHECK(g, !(t.flags & MYSEAL_FLAG_IN_LOCKOUT) || (NODE_FLAGS & MYSEAL_FLAG_IN_LOCKOUT));
			CHECK(g, NODE_ATTEMPTS >= (t.attempts > 0 ? t.attempts - 1 : 0) ||
			             (t.flags & MYSEAL_FLAG_IN_LOCKOUT));
			if (comparisons != t.comparisons_before) {
				// A wrong PIN was compared: its attempt was stored first.
				CHECK(g, NODE_ATTEMPTS < t.attempts || (t.flags & MYSEAL_FLAG_IN_LOCKOUT));
			}
			if (t.attempts == 1 && NODE_ATTEMPTS == 0) {
				CHECK(g, NODE_FLAGS & MYSEAL_FLAG_IN_LOCKOUT);  // the last attempt brings it
			}
		}
	}

	// Old counters: every finished frame is refused, and the cut one too if it had acted.
	uint8_t io[MYSEAL_FRAME_MAX];
	for (int i = 0; i < t.done; i++) {
		myseal_receive(harness_now, 0, t.children[i], t.frames[i], t.lens[i], io);
		CHECK(g, myseal_verdict() != MYSEAL_OK);
	}
	if (t.in_frame && t.current_len != 0 && acted) {
		myseal_receive(harness_now, 0, t.current_child, t.current, t.current_len, io);
		CHECK(g, myseal_verdict() != MYSEAL_OK);
	}

	// Not bricked: a controller that knows both keys gets answers, then unlocks.
	struct controller c = t.c;
	c.has_challenge = false;
	c.counter += 1000;
	bool answered = false;
	for (int k = 0; k < 2 && !answered; k++) {
		memcpy(c.key, k == 0 ? t.key_after : t.key_before, 16);
		const uint8_t status = MYSEAL_OP_STATUS;
		const struct result r = exchange(&c, 1, &status, 1, false);
		answered = r.status == MYSEAL_LOCK_STATUS && r.counter > t.max_sent;
	}
	CHECK(g, answered);
	if (answered && myseal_lockout_seconds(harness_now) == 0) {
		uint8_t body[5] = { MYSEAL_OP_UNLOCK };
		int status = -1;
		for (int p = 0; p < 2 && status != MYSEAL_UNLOCKED; p++) {
			memcpy(body + 1, p == 0 ? t.pin_after : t.pin_before, 4);
			status = critical_exchange(&c, 1, body, 5).status;
		}
		CHECK(g, status == MYSEAL_UNLOCKED);
	}
}

/* One item: the script again, the power cut after k bytes (the next one torn as `way` says). */
static void cut_after(struct group *g, uint32_t k)
{
	item_begin(g);
	cutting = true;
	written = 0;
	allowed = k;
	volatile bool cut = false;
	if (setjmp(power_cut) == 0) {
		script();
	} else {
		cut = true;
	}
	cutting = false;
	CHECK(g, cut);
	if (cut) {
		check_after_cut(g);
	}
	item_end(g);
}

int run_powercut(void)
{
	struct group g = { "powercut", 0, 0, 0, 0, false };
	myseal_stub_eeprom_before_write = before_write;

	// Both orders a platform may write a block in (myseal_storage.h): last byte first (avr-libc),
	// then first to last.
	uint32_t total = 0;
	for (uint8_t order = 0; order < 2; order++) {
		myseal_stub_eeprom_first_to_last = order == 1;
		// A full run, to count the bytes written.
		cutting = false;
		written = 0;
		script();
		if (order == 0) {
			total = written;
			CHECK(&g, total > 300);
			printf("powercut bytes-written %lu orders 2\n", (unsigned long)total);
		}
		CHECK(&g, written == total);

		for (uint32_t k = 0; k < total; k += MYSEAL_CUT_STRIDE) {
			for (way = 0; way < 3; way++) {
				cut_after(&g, k);
			}
		}
	}
	myseal_stub_eeprom_first_to_last = false;
	myseal_stub_eeprom_before_write = NULL;
	return group_end(&g) == 0 ? 0 : 1;
}
