/*
 * node_host vectors FILE: the golden vectors of test/vectors/seal-v1.json, as lines the
 * TypeScript test writes from the JSON (arduino/test/node.test.ts), against the C++ node.
 *
 *   vector ...    every entry: the receiver state it describes is set up and the frame goes
 *                 through the node's receive path; the verdict must be the vector's, the opened
 *                 plaintext the vector's, an answer must come exactly when the rules allow one,
 *                 and an unanswered frame must not write EEPROM. Every entry is also sealed again
 *                 from its inputs ("sealed_as"): the same bytes unless the vector altered them.
 *   scenario ...  each result and report vector made by the node itself from a command (or a
 *                 button, or a sensor) and the state that leads to it: byte for byte the frame.
 *   exchange ...  a node from blank storage with these settings, then its steps:
 *   step ...      a frame (the reply byte for byte, the verdict), a poll (the reply), a reset.
 *   challenge ... / rotation ... / pin ... / bad_pin ...   the other arrays of the file.
 */
#include <stdlib.h>
#include <string.h>

#include "myseal_ccm.h"
#include "myseal_frame.h"
#include "myseal_pin.h"
#include "node_harness.h"

static const uint32_t PIN_1234 = MYSEAL_PIN("1234");
static_assert(MYSEAL_PIN("1234") == 0x1234ffffUL, "MYSEAL_PIN packs BCD, F-padded");
static_assert(MYSEAL_PIN("20261125") == 0x20261125UL, "eight digits fill the four bytes");
static_assert(MYSEAL_PIN("0123456") == 0x0123456fUL, "a leading zero is a digit");

static uint8_t header_of(const char *kind)
{
	if (strcmp(kind, "command") == 0) {
		return MYSEAL_HEADER_COMMAND;
	}
	if (strcmp(kind, "critical") == 0) {
		return MYSEAL_HEADER_CRITICAL;
	}
	return strcmp(kind, "result") == 0 ? MYSEAL_HEADER_RESULT : MYSEAL_HEADER_REPORT;
}

/* The receiver state of a vector or scenario: key, node, counters, challenge, lock. */
static void set_up_receiver(const char *line, const uint8_t *key)
{
	fresh_node((uint8_t)field_long(line, "node", 5), key, PIN_1234);
	uint8_t *hot = myseal_store_hot();
	myseal_put_be32(hot + MYSEAL_HOT_LAST_RECEIVED, (uint32_t)field_long(line, "last", 0));
	const long next = field_long(line, "next", 0);
	if (next > 0) {
		// The node continues after its reservation: reserved up to next - 1 at the reset.
		myseal_put_be32(hot + MYSEAL_HOT_SEND_RESERVED, (uint32_t)next - 1);
		myseal_outgoing_boot();
		myseal_put_be32(hot + MYSEAL_HOT_SEND_RESERVED, (uint32_t)next + 100);
	}
	NODE_ATTEMPTS = (uint8_t)field_long(line, "attempts", MYSEAL_DEFAULT_MAX_ATTEMPTS);
	if (field_long(line, "locked", 1) == 0) {
		NODE_FLAGS &= (uint8_t)~MYSEAL_FLAG_LOCKED;
	}
	uint8_t challenge[5];
	if (field_hex(line, "challenge", challenge, 5) == 5) {
		const uint32_t issued = field_long(line, "expired", 0)
		                            ? harness_now - myseal_challenge_window_ms() - 1
		                            : harness_now;
		myseal_challenge_hold(challenge, issued,
		                      field_long(line, "used", 0) ? MYSEAL_CHALLENGE_SPENT
		                                                  : MYSEAL_CHALLENGE_FRESH);
	}
	myseal_store_changed();
	myseal_store_commit();  // as if it had been stored
	hooks.accept_children = 1u << 2;  // the relay on child 2 takes sets
}

static void vector_line(struct group *g, struct group *reseal, const char *line)
{
	uint8_t key[16], keys[32], frame[40], plaintext[16], body[16], io[MYSEAL_FRAME_MAX];
	char verdict[32], direction[16], kind[16];
	item_begin(g);
	CHECK(g, field(line, "verdict", verdict, sizeof verdict) != NULL);
	CHECK(g, field(line, "direction", direction, sizeof direction) != NULL);
	CHECK(g, field(line, "kind", kind, sizeof kind) != NULL);
	CHECK(g, field_hex(line, "key", key, 16) == 16);
	const int len = field_hex(line, "frame", frame, sizeof frame);
	const int pt_len = field_hex(line, "plaintext", plaintext, sizeof plaintext);
	CHECK(g, len >= 0 && pt_len >= 0);

	// Sealing again from the sender's inputs gives the vector's frame, unless it was altered.
	item_begin(reseal);
	{
		uint8_t again[MYSEAL_FRAME_MAX], challenge[5];
		again[0] = header_of(kind);
		myseal_put_be32(again + 1, (uint32_t)field_long(line, "counter", 0));
		memcpy(again + 5, plaintext, (size_t)pt_len);
		const bool with_challenge = field_hex(line, "sealed_challenge", challenge, 5) == 5;
		const uint8_t n = myseal_frame_seal(key, again, (uint8_t)pt_len,
		                                    (uint8_t)field_long(line, "sealed_sender", -1),
		                                    (uint8_t)field_long(line, "sealed_destination", -1),
		                                    (uint8_t)field_long(line, "sealed_child", -1),
		                                    with_challenge ? challenge : NULL);
		const bool same = n == len && memcmp(again, frame, n) == 0;
		CHECK(reseal, same == (field_long(line, "honest", -1) == 1));
	}
	item_end(reseal);

	if (strcmp(direction, "to_node") == 0) {
		const int nkeys = field_hex(line, "keys", keys, 32);
		CHECK(g, nkeys == 16 || nkeys == 32);
		set_up_receiver(line, keys);
		const uint8_t sender = (uint8_t)field_long(line, "sender", -1);
		const uint8_t child = (uint8_t)field_long(line, "child", -1);
		const uint32_t writes = myseal_stub_eeprom_writes();

		// Checks 1-6 alone: the plaintext of an authentic frame.
		const uint8_t opened = myseal_open(sender, child, frame, (uint8_t)len, body);
		if (strcmp(verdict, "ok") == 0) {
			CHECK(g, opened == MYSEAL_OK && memcmp(body, plaintext, (size_t)pt_len) == 0);
		}
		// The whole receive path: the verdict, and an answer only where the rules allow one.
		const uint8_t answer = myseal_receive(harness_now, sender, child, frame, (uint8_t)len, io);
		CHECK(g, strcmp(myseal_verdict_name(myseal_verdict()), verdict) == 0);
		const bool authentic_stale = strcmp(verdict, "REPLAYED_COUNTER") == 0 && len >= 5 &&
		                             (frame[1] | frame[2] | frame[3] | frame[4]) != 0;
		const bool answered = strcmp(verdict, "ok") == 0 || strncmp(verdict, "CHALLENGE_", 10) == 0 ||
		                      authentic_stale;
		CHECK(g, (answer != 0) == answered);
		if (!answered) {
			CHECK(g, myseal_stub_eeprom_writes() == writes);  // spent nothing on it
		} else {
			struct controller c;
			memset(&c, 0, sizeof c);
			c.node = myseal_node_id();
			memcpy(c.key, myseal_store_key(), 16);  // after a rotation, the answer is under the new key
			const struct result r = open_from_node(&c, child, io, answer);
			CHECK(g, r.status >= 0 && r.answers == myseal_be32(frame + 1));
			if (authentic_stale) {
				CHECK(g, r.status == MYSEAL_STALE_COUNTER &&
				             myseal_be32(r.data) == (uint32_t)field_long(line, "last", -1));
			} else if (strcmp(verdict, "ok") != 0) {
				CHECK(g, r.status == MYSEAL_CHALLENGE_EXPIRED_RESULT && r.data_length == 5);
			}
		}
	}
	item_end(g);
}

static void scenario_line(struct group *g, const char *line)
{
	uint8_t key[16], frame[40], expect[40], body[16], io[MYSEAL_FRAME_MAX];
	char action[16];
	item_begin(g);
	CHECK(g, field_hex(line, "key", key, 16) == 16);
	CHECK(g, field(line, "action", action, sizeof action) != NULL);
	const int expect_len = field_hex(line, "expect", expect, sizeof expect);
	set_up_receiver(line, key);
	const uint8_t child = (uint8_t)field_long(line, "child", -1);
	uint8_t out = 0;
	if (strcmp(action, "frame") == 0) {
		const int len = field_hex(line, "frame", frame, sizeof frame);
		out = myseal_receive(harness_now, (uint8_t)field_long(line, "sender", 0), child, frame,
		                     (uint8_t)len, io);
	} else if (strcmp(action, "hand") == 0) {
		out = myseal_set_locked(harness_now, (uint8_t)field_long(line, "to", -1), io);
	} else {
		const int n = field_hex(line, "body", body, sizeof body);
		CHECK(g, n >= 2);
		out = myseal_report(child, body[0], body[1], body + 2, (uint8_t)(n - 2), io);
	}
	CHECK(g, out == expect_len && memcmp(io, expect, out) == 0);
	if (out != expect_len || memcmp(io, expect, out) != 0) {
		printf("scenario %s: got ", line);
		print_hex(stdout, io, out);
		printf("\n");
	}
	item_end(g);
}

/*
 * The exchanges: one item each, a node from blank storage with the exchange's settings, started
 * at harness_now; each step checked as it comes (exactly the reply, the verdict).
 */
static struct {
	bool open;
	uint32_t start;
} running;

static void exchange_line(struct group *g, const char *line)
{
	if (running.open) {
		item_end(g);
	}
	item_begin(g);
	running.open = true;
	running.start = harness_now;
	uint8_t key[16];
	char pin[16], lock[8];
	CHECK(g, field_hex(line, "key", key, 16) == 16);
	CHECK(g, field(line, "pin", pin, sizeof pin) != NULL);
	myseal_stub_eeprom_erase();
	reset_config();
	if (field(line, "lock_child", lock, sizeof lock) != NULL && strcmp(lock, "none") != 0) {
		myseal_lock_enable((uint8_t)atoi(lock));
	} else {
		myseal_route_lock(0, 0);  // a node without lockChild()
	}
	myseal_lock_relock((uint16_t)field_long(line, "relock", 0));
	myseal_guard_children((uint16_t)field_long(line, "guarded", 0));
	hooks.accept_children = (uint16_t)field_long(line, "sets", 0);
	myseal_lock_max_attempts((uint8_t)field_long(line, "attempts", MYSEAL_DEFAULT_MAX_ATTEMPTS));
	myseal_lock_lockout((uint32_t)field_long(line, "lockout_first", 0) * 1000UL,
	                    (uint32_t)field_long(line, "lockout_cap", 0) * 1000UL);
	myseal_challenge_window((uint16_t)field_long(line, "window", MYSEAL_DEFAULT_CHALLENGE_WINDOW_MS));
	myseal_begin((uint8_t)field_long(line, "node", -1), harness_now, key, pin_bcd(pin));
}

static void step_line(struct group *g, const char *line)
{
	CHECK(g, running.open);
	const uint32_t now = running.start + (uint32_t)field_long(line, "at", 0);
	char what[8], verdict[32];
	uint8_t frame[40], expect[40], io[MYSEAL_FRAME_MAX];
	CHECK(g, field(line, "do", what, sizeof what) != NULL);
	if (strcmp(what, "reset") == 0) {
		uint8_t key[16];
		char pin[16];
		CHECK(g, field_hex(line, "key", key, 16) == 16 && field(line, "pin", pin, sizeof pin) != NULL);
		harness_now = now;
		reboot_node(key, pin_bcd(pin));
		harness_now = running.start;
		return;
	}
	const int expect_len = field_hex(line, "reply", expect, sizeof expect);
	uint8_t out = 0;
	if (strcmp(what, "frame") == 0) {
		const int len = field_hex(line, "frame", frame, sizeof frame);
		CHECK(g, len > 0 && field(line, "verdict", verdict, sizeof verdict) != NULL);
		out = myseal_receive(now, (uint8_t)field_long(line, "sender", -1),
		                     (uint8_t)field_long(line, "child", -1), frame, (uint8_t)len, io);
		CHECK(g, strcmp(myseal_verdict_name(myseal_verdict()), verdict) == 0);
	} else {
		CHECK(g, strcmp(what, "poll") == 0);
		out = myseal_poll(now, io);
	}
	const bool same = out == expect_len && memcmp(io, expect, out) == 0;
	CHECK(g, same);
	if (!same) {
		printf("exchange step %s: got ", line);
		print_hex(stdout, io, out);
		printf(" verdict %s\n", myseal_verdict_name(myseal_verdict()));
	}
}

int run_vectors(FILE *f)
{
	struct group vectors = { "vectors", 0, 0, 0, 0, false };
	struct group reseal = { "vectors-resealed", 0, 0, 0, 0, false };
	struct group scenarios = { "vectors-node-made", 0, 0, 0, 0, false };
	struct group exchanges = { "vectors-exchanges", 0, 0, 0, 0, false };
	struct group challenges = { "vectors-challenges", 0, 0, 0, 0, false };
	struct group rotations = { "vectors-rotations", 0, 0, 0, 0, false };
	struct group pins = { "vectors-pins", 0, 0, 0, 0, false };
	struct group bad_pins = { "vectors-bad-pins", 0, 0, 0, 0, false };
	char line[1024];
	while (fgets(line, sizeof line, f) != NULL && strncmp(line, "END", 3) != 0) {
		uint8_t key[16], a[32], b[32];
		if (strncmp(line, "vector ", 7) == 0) {
			vector_line(&vectors, &reseal, line);
		} else if (strncmp(line, "scenario ", 9) == 0) {
			scenario_line(&scenarios, line);
		} else if (strncmp(line, "exchange ", 9) == 0) {
			exchange_line(&exchanges, line);
		} else if (strncmp(line, "step ", 5) == 0) {
			step_line(&exchanges, line);
		} else if (strncmp(line, "challenge ", 10) == 0) {
			// The node's own derivation, through a result it seals at that counter.
			item_begin(&challenges);
			CHECK(&challenges, field_hex(line, "key", key, 16) == 16);
			fresh_node((uint8_t)field_long(line, "node", -1), key, PIN_1234);
			uint8_t io[MYSEAL_FRAME_MAX];
			io[0] = 0;  // 00 | the result's counter, as a node builds it
			myseal_put_be32(io + 1, (uint32_t)field_long(line, "counter", -1));
			myseal_challenge_issue(io, (uint8_t)field_long(line, "child", -1), 10);
			CHECK(&challenges, field_hex(line, "expect", b, 5) == 5 && memcmp(io + 10, b, 5) == 0);
			CHECK(&challenges, memcmp(myseal_challenge(), b, 5) == 0 &&
			                       myseal_challenge_state() == MYSEAL_CHALLENGE_FRESH);
			item_end(&challenges);
		} else if (strncmp(line, "rotation ", 9) == 0) {
			item_begin(&rotations);
			CHECK(&rotations, field_hex(line, "key", key, 16) == 16);
			fresh_node((uint8_t)field_long(line, "node", -1), key, PIN_1234);
			uint8_t seed[11];
			CHECK(&rotations, field_hex(line, "seed", seed, 11) == 11);
			myseal_derive(myseal_store_key(), a, 16, MYSEAL_DOMAIN_ROTATION, seed[0], seed + 1, 10);
			CHECK(&rotations, field_hex(line, "expect", b, 16) == 16 && memcmp(a, b, 16) == 0);
			item_end(&rotations);
		} else if (strncmp(line, "pin ", 4) == 0) {
			item_begin(&pins);
			char digits[16];
			CHECK(&pins, field(line, "digits", digits, sizeof digits) != NULL);
			CHECK(&pins, field_hex(line, "encoded", a, 4) == 4);
			CHECK(&pins, myseal_pin_well_formed(a));
			uint8_t mine[4];
			myseal_put_be32(mine, pin_bcd(digits));
			CHECK(&pins, memcmp(mine, a, 4) == 0);
			item_end(&pins);
		} else if (strncmp(line, "bad_pin ", 8) == 0) {
			item_begin(&bad_pins);
			CHECK(&bad_pins, field_hex(line, "encoded", a, 4) == 4);
			CHECK(&bad_pins, !myseal_pin_well_formed(a));
			item_end(&bad_pins);
		}
	}
	if (running.open) {
		item_end(&exchanges);
		running.open = false;
	}
	uint32_t failed = group_end(&vectors) + group_end(&reseal) + group_end(&scenarios) +
	                  group_end(&exchanges) + group_end(&challenges) + group_end(&rotations) + group_end(&pins) +
	                  group_end(&bad_pins);
	return failed == 0 ? 0 : 1;
}
