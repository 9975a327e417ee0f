/*
 * MySeal node tests on the host: shared helpers. See node_harness.h.
 */
#include "node_harness.h"

#include <stdlib.h>
#include <string.h>

#include "myseal_ccm.h"
#include "myseal_frame.h"

/* ---- checks ------------------------------------------------------------------------------ */

void check(struct group *g, bool ok, const char *what, int line)
{
	g->checks++;
	if (!ok) {
		g->failures++;
		g->item_failed = true;
		if (g->failures <= 12) {
			printf("check failed in %s item %lu at line %d: ", g->name,
			       (unsigned long)g->items + 1, line);
#if defined(__AVR__)
			fputs_P(what, stdout);
#else
			fputs(what, stdout);
#endif
			putchar('\n');
		}
	}
}

void item_begin(struct group *g)
{
	g->item_failed = false;
}

void item_end(struct group *g)
{
	g->items++;
	if (g->item_failed) {
		g->failed_items++;
	}
}

uint32_t group_end(const struct group *g)
{
	if (g->failures == 0 && g->checks > 0) {
		printf("ok %s %lu\n", g->name, (unsigned long)g->items);
	} else {
		printf("FAIL %s %lu of %lu (%lu checks failed)\n", g->name,
		       (unsigned long)g->failed_items, (unsigned long)g->items,
		       (unsigned long)g->failures);
	}
	return g->failures + (g->checks == 0);
}

/* ---- hex and lines ----------------------------------------------------------------------- */

static int nibble(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int unhex(const char *text, uint8_t *out, int max)
{
	if (strcmp(text, "-") == 0) {
		return 0;
	}
	int n = 0;
	for (; text[0] != '\0' && text[0] != ' ' && text[0] != '\n'; text += 2) {
		const int hi = nibble(text[0]), lo = text[1] != '\0' ? nibble(text[1]) : -1;
		if (hi < 0 || lo < 0 || n >= max) {
			return -1;
		}
		out[n++] = (uint8_t)(hi << 4 | lo);
	}
	return n;
}

void print_hex(FILE *f, const uint8_t *bytes, int n)
{
	for (int i = 0; i < n; i++) {
		fprintf(f, "%02X", bytes[i]);
	}
}

const char *field(const char *line, const char *name, char *out, size_t size)
{
	const size_t length = strlen(name);
	for (const char *p = line; (p = strstr(p, name)) != NULL; p += length) {
		if ((p == line || p[-1] == ' ') && p[length] == '=') {
			const char *v = p + length + 1;
			size_t n = strcspn(v, " \n");
			if (n >= size) {
				n = size - 1;
			}
			memcpy(out, v, n);
			out[n] = '\0';
			return out;
		}
	}
	return NULL;
}

long field_long(const char *line, const char *name, long fallback)
{
	char value[32];
	// strtoul: values go up to 2^32 - 1, which a 32-bit long (the chip's) cannot hold.
	return field(line, name, value, sizeof value) ? (long)strtoul(value, NULL, 10) : fallback;
}

int field_hex(const char *line, const char *name, uint8_t *out, int max)
{
	char value[128];
	return field(line, name, value, sizeof value) ? unhex(value, out, max) : -1;
}

/* ---- the node ------------------------------------------------------------------------------ */

uint32_t harness_now = 1000000;
struct hooks hooks;

void mysealLockChanged(bool locked)
{
	hooks.lock_changes++;
	hooks.last_locked = locked;
	if (hooks.print) {
		printf("L %d\n", locked ? 1 : 0);
	}
}

bool mysealSet(uint8_t child, uint8_t type, uint8_t payloadType, const uint8_t *value,
               uint8_t length)
{
	hooks.sets++;
	hooks.set_child = child;
	hooks.set_type = type;
	hooks.set_payload_type = payloadType;
	hooks.set_length = length;
	memcpy(hooks.set_value, value, length);
	const bool taken = child < 16 && ((hooks.accept_children >> child) & 1);
	if (hooks.print) {
		printf("SET %u %u %u ", child, type, payloadType);
		print_hex(stdout, value, length);
		printf(" %d\n", taken ? 1 : 0);
	}
	return taken;
}

void reset_config(void)
{
	myseal_lock_enable(1);
	myseal_guard_children(0);
	myseal_lock_max_attempts(MYSEAL_DEFAULT_MAX_ATTEMPTS);
	myseal_lock_lockout(MYSEAL_DEFAULT_LOCKOUT_BASE_S * 1000UL, MYSEAL_DEFAULT_LOCKOUT_CAP_S * 1000UL);
	myseal_challenge_window(MYSEAL_DEFAULT_CHALLENGE_WINDOW_MS);
	myseal_lock_relock(0);
}

void fresh_node(uint8_t node_id, const uint8_t key[16], uint32_t pin)
{
	myseal_stub_eeprom_erase();
	reset_config();
	myseal_begin(node_id, harness_now, key, pin);
}

void forget_ram(void)
{
	// RAM does not survive: begin() must forget what a reset forgets (a challenge held, fresh,
	// would be a fail-open), and load the rest from EEPROM.
	static const uint8_t junk[5] = { 0xa5, 0xa5, 0xa5, 0xa5, 0xa5 };
	myseal_challenge_hold(junk, harness_now, MYSEAL_CHALLENGE_FRESH);
	memset(myseal_store_hot(), 0xa5, MYSEAL_HOT_PAYLOAD);
	memset(myseal_store_key(), 0xa5, 16);
}

void reboot_node(const uint8_t key[16], uint32_t pin)
{
	forget_ram();
	myseal_begin(myseal_node_id(), harness_now, key, pin);
}

uint32_t last_received(void)
{
	return myseal_be32(myseal_store_hot() + MYSEAL_HOT_LAST_RECEIVED);
}

uint32_t send_next(void)
{
	return myseal_be32(myseal_send_next());
}

/* ---- a controller -------------------------------------------------------------------------- */

uint8_t seal_command(struct controller *c, uint8_t child, const uint8_t *body, uint8_t n,
                     bool critical, uint8_t *frame)
{
	frame[0] = critical ? MYSEAL_HEADER_CRITICAL : MYSEAL_HEADER_COMMAND;
	myseal_put_be32(frame + 1, ++c->counter);
	memcpy(frame + MYSEAL_BODY_AT, body, n);
	const uint8_t len = myseal_frame_seal(c->key, frame, n, 0, c->node, child,
	                                      critical ? c->challenge : NULL);
	if (critical) {
		c->has_challenge = false;
	}
	return len;
}

struct result open_from_node(struct controller *c, uint8_t child, const uint8_t *frame,
                             uint8_t len)
{
	struct result r;
	memset(&r, 0, sizeof r);
	r.status = -1;
	if (len < MYSEAL_FRAME_MIN || len > MYSEAL_FRAME_MAX ||
	    (frame[0] != MYSEAL_HEADER_RESULT && frame[0] != MYSEAL_HEADER_REPORT)) {
		return r;
	}
	uint8_t nonce[13];
	myseal_nonce(nonce, frame, c->node, 0, child, NULL);
	const uint8_t n = (uint8_t)(len - MYSEAL_OVERHEAD);
	if (!myseal_ccm_open(c->key, nonce, frame + 5, n, frame + 5 + n, r.body)) {
		return r;
	}
	r.counter = myseal_be32(frame + 1);
	if (r.counter <= c->node_counter) {
		return r;  // stale: a controller refuses it
	}
	c->node_counter = r.counter;
	r.body_length = n;
	r.report = frame[0] == MYSEAL_HEADER_REPORT;
	if (r.report) {
		r.status = 0x100;
		return r;
	}
	r.status = r.body[0];
	r.answers = n >= 5 ? myseal_be32(r.body + 1) : 0;
	r.data_length = (uint8_t)(n >= 5 ? n - 5 : 0);
	memcpy(r.data, r.body + 5, r.data_length > 8 ? 8 : r.data_length);
	const uint8_t *challenge = NULL;
	if ((r.status == MYSEAL_CHALLENGE || r.status == MYSEAL_CHALLENGE_EXPIRED_RESULT) &&
	    r.data_length == 5) {
		challenge = r.data;
	} else if (r.status == MYSEAL_WRONG_PIN && r.data_length == 6) {
		challenge = r.data + 1;
	}
	if (challenge) {
		memcpy(c->challenge, challenge, 5);
		c->has_challenge = true;
	}
	return r;
}

struct result exchange(struct controller *c, uint8_t child, const uint8_t *body, uint8_t n,
                       bool critical)
{
	uint8_t frame[MYSEAL_FRAME_MAX], io[MYSEAL_FRAME_MAX];
	const uint8_t len = seal_command(c, child, body, n, critical, frame);
	const uint8_t out = myseal_receive(harness_now, 0, child, frame, len, io);
	return open_from_node(c, child, io, out);
}

struct result critical_exchange(struct controller *c, uint8_t child, const uint8_t *body,
                                uint8_t n)
{
	if (!c->has_challenge) {
		const uint8_t get = MYSEAL_OP_GET_CHALLENGE;
		struct result r = exchange(c, child, &get, 1, false);
		if (r.status != MYSEAL_CHALLENGE) {
			return r;
		}
	}
	return exchange(c, child, body, n, true);
}

uint32_t pin_bcd(const char *digits)
{
	uint32_t v = 0xffffffffUL;
	for (int i = 0; digits[i] != '\0' && i < 8; i++) {
		const int shift = 28 - 4 * i;
		v = (v & ~(0xfUL << shift)) | ((uint32_t)(digits[i] - '0') << shift);
	}
	return v;
}

/* ---- main (the host's; on the chip: arduino/test/avr/node_onchip.cpp) ------------------- */

#if !defined(__AVR__)
int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 3 && strcmp(argv[1], "vectors") == 0) {
		FILE *f = fopen(argv[2], "r");
		if (f == NULL) {
			perror(argv[2]);
			return 2;
		}
		const int status = run_vectors(f);
		fclose(f);
		return status;
	}
	if (argc == 2 && strcmp(argv[1], "lock") == 0) {
		return run_lock();
	}
	if (argc == 2 && strcmp(argv[1], "powercut") == 0) {
		return run_powercut();
	}
	if (argc >= 2 && strcmp(argv[1], "serve") == 0) {
		return run_serve(argc - 2, argv + 2);
	}
	fprintf(stderr, "usage: node_host vectors FILE | lock | powercut | serve NODE KEY PIN\n");
	return 2;
}
#endif
