/*
 * MySeal node tests on the host: what every mode of node_host shares. A controller written with
 * the library's own frame functions (sealing commands, opening results), a fake clock, the node's
 * hooks, hex and line parsing, and the check counters each mode prints as "ok <group> <n>".
 */
#ifndef MYSEAL_NODE_HARNESS_H
#define MYSEAL_NODE_HARNESS_H

#include <stdint.h>
#include <stdio.h>

#include "eeprom_stub.h"
#include "myseal_node.h"

/*
 * The same harness runs on the host (node_host, ASan and UBSan) and on a simulated ATmega1284P
 * (arduino/test/avr/node_onchip.cpp, the node as avr-gcc builds it, with the AES block function in
 * assembly), where it does less of the slowest work: fewer unlocks for the wear figure, every
 * MYSEAL_CUT_STRIDE-th power cut.
 */
#if defined(__AVR__)
#define MYSEAL_WEAR_UNLOCKS (23 * 16)
#define MYSEAL_CUT_STRIDE 11
#else
#define MYSEAL_WEAR_UNLOCKS (23 * 16 * 4)
#define MYSEAL_CUT_STRIDE 1
#endif

/* ---- checks ------------------------------------------------------------------------------ */

/*
 * A group counts items (vectors, scenarios, cuts) and the checks made on them; an item fails when
 * any of its checks does. group_end() prints "ok <name> <items>" or "FAIL <name> <failed> of
 * <items>", so the TypeScript side can require exact counts.
 */
struct group {
	const char *name;
	uint32_t items;
	uint32_t failed_items;
	uint32_t checks;
	uint32_t failures;
	bool item_failed;
};

/* what: the condition's text, in flash on the chip (RAM is short there). */
#if defined(__AVR__)
#include <avr/pgmspace.h>
#define CHECK_TEXT(s) PSTR(s)
#else
#define CHECK_TEXT(s) (s)
#endif
void check(struct group *g, bool ok, const char *what, int line);
#define CHECK(g, cond) check((g), (cond), CHECK_TEXT(#cond), __LINE__)
void item_begin(struct group *g);
void item_end(struct group *g);
uint32_t group_end(const struct group *g);

/* ---- hex and lines ----------------------------------------------------------------------- */

/* Parses hex ("-" is empty) into out (at most max bytes); returns the length, or -1. */
int unhex(const char *text, uint8_t *out, int max);
void print_hex(FILE *f, const uint8_t *bytes, int n);
/* The value of " name=value" in line (copied to out, NUL-terminated), or NULL when absent. */
const char *field(const char *line, const char *name, char *out, size_t size);
long field_long(const char *line, const char *name, long fallback);
int field_hex(const char *line, const char *name, uint8_t *out, int max);

/* ---- the node ------------------------------------------------------------------------------ */

/* Where MySeal.h puts MySeal's area on MySensors 2.3.2 (EEPROM_LOCAL_CONFIG_ADDRESS + 256): the
 * storage of every harness program is MySeal.h's (node_serve.cpp checks the number). */
#define HARNESS_EEPROM_BASE (413 + 256)

extern uint32_t harness_now;  // the node's millis()

/* The lock's fields of the store's hot payload. */
#define NODE_ATTEMPTS (myseal_store_hot()[MYSEAL_HOT_ATTEMPTS])
#define NODE_LEVEL (myseal_store_hot()[MYSEAL_HOT_LEVEL])
#define NODE_FLAGS (myseal_store_hot()[MYSEAL_HOT_FLAGS])

/* What the node's hooks saw (mysealLockChanged, mysealSet), and what mysealSet answers. */
struct hooks {
	int lock_changes;
	bool last_locked;
	int sets;
	uint8_t set_child, set_type, set_payload_type, set_length;
	uint8_t set_value[16];
	uint16_t accept_children;  // bit c: mysealSet accepts sets to child c
	bool print;                // print "L ..." and "SET ..." lines (serve mode)
};
extern struct hooks hooks;

/* Settings back to the defaults of a MySeal lock on child 1. */
void reset_config(void);
/* Blank EEPROM, default settings, first boot of node `node_id` with key and PIN. */
void fresh_node(uint8_t node_id, const uint8_t key[16], uint32_t pin);
/* A reset: RAM is lost (forget_ram() scribbles over what it can reach), EEPROM stays; the same
 * node starts again. */
void forget_ram(void);
void reboot_node(const uint8_t key[16], uint32_t pin);
/* A counter as a number (the node keeps them as big-endian bytes). */
uint32_t last_received(void);
uint32_t send_next(void);

/* ---- a controller -------------------------------------------------------------------------- */

struct controller {
	uint8_t node;
	uint8_t key[16];
	uint32_t counter;          // last used
	uint32_t node_counter;     // last node counter accepted
	uint8_t challenge[5];
	bool has_challenge;
};

/* Seals a command (CRITICAL with the controller's challenge when critical); returns its length. */
uint8_t seal_command(struct controller *c, uint8_t child, const uint8_t *body, uint8_t n,
                     bool critical, uint8_t *frame);

struct result {
	int status;      // -1: no frame, or one that does not open
	uint32_t counter;
	uint32_t answers;
	uint8_t data[8];
	uint8_t data_length;
	uint8_t body[12];
	uint8_t body_length;
	bool report;
};

/* Opens a frame from the node (results and reports) and takes a challenge it carries. */
struct result open_from_node(struct controller *c, uint8_t child, const uint8_t *frame,
                             uint8_t len);

/* Sends a command through myseal_receive() and opens the answer. */
struct result exchange(struct controller *c, uint8_t child, const uint8_t *body, uint8_t n,
                       bool critical);
/* GET_CHALLENGE then the command, CRITICAL: what a controller does for unlock, set-PIN, ... */
struct result critical_exchange(struct controller *c, uint8_t child, const uint8_t *body,
                                uint8_t n);

uint32_t pin_bcd(const char *digits);

/* ---- modes --------------------------------------------------------------------------------- */

/* Lines from in until its end or a line "END". */
int run_vectors(FILE *in);
int run_lock(void);
int run_powercut(void);
int run_serve(int argc, char **argv);

#endif /* MYSEAL_NODE_HARNESS_H */
