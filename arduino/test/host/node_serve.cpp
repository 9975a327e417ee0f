/*
 * node_host serve NODE KEY PIN: a MySeal lock sketch on the host, behind a line protocol on
 * stdin/stdout, for the cross-implementation test (arduino/test/node.test.ts): the TypeScript
 * controller talks to the C++ node through the sketch API (MySeal.h) and the MySensors stand-in,
 * as a real node's receive() would be called.
 *
 *   in                                   out (then a line ".")
 *   F <sender> <child> <hex>             the frame as a C_STREAM type-83 message to the node:
 *                                        "R <child> <hex>" per message the node sends,
 *                                        "L <0|1>" when the lock moves, "SET ..." for a set,
 *                                        "V <verdict>"
 *   T <ms>                               time passes; seal.poll() (auto-relock): R, L lines
 *   B                                    the button: seal.setLocked(!locked): R, L lines
 *   P <child> <type> <ptype> <hex>       seal.report(...): R line
 *   BOOT                                 a reset: RAM lost, begin() again from EEPROM
 *   S                                    "S <locked> <attempts> <lockout seconds>"
 *
 * The sketch: lock on child 1, relays on children 2 (plain) and 3 (guarded), auto-relock 5 s.
 */
#include <MySensors.h>
#include <MySeal.h>
#include <stdlib.h>
#include <string.h>

#include "node_harness.h"

static MySeal seal;
static uint8_t node_key[16];
static uint32_t node_pin;
static uint8_t node_id;

static_assert(MYSEAL_EEPROM_BASE == HARNESS_EEPROM_BASE, "the harness's EEPROM base is MySeal.h's");

void receive(const MyMessage &message)
{
	if (seal.handle(message)) {
		return;
	}
	printf("NOT-SEALED\n");
}

static void on_send(const MyMessage &message)
{
	// Every frame the node sends must be a C_STREAM type-83 message to the gateway.
	if (message.getCommand() != C_STREAM || message.getType() != MYSEAL_STREAM_TYPE ||
	    message.getDestination() != GATEWAY_ADDRESS || message.getSender() != node_id ||
	    message.getPayloadType() != P_CUSTOM) {
		printf("BAD-MESSAGE\n");
		return;
	}
	printf("R %u ", message.getSensor());
	print_hex(stdout, static_cast<const uint8_t *>(message.getCustom()), message.getLength());
	printf("\n");
}

static void boot(void)
{
	reset_config();
	// The key is in RAM here: on the host pgm_read_byte() is a plain read.
	seal.lockChild(1).guard(3).autoRelock(5000).begin(node_id, node_key, node_pin);
}

int run_serve(int argc, char **argv)
{
	if (argc != 3 || unhex(argv[1], node_key, 16) != 16) {
		fprintf(stderr, "usage: node_host serve NODE KEY PIN\n");
		return 2;
	}
	node_id = (uint8_t)atoi(argv[0]);
	node_pin = pin_bcd(argv[2]);
	myseal_stub_set_node_id(node_id);
	myseal_stub_on_send = on_send;
	myseal_stub_eeprom_erase();
	hooks.print = true;
	hooks.accept_children = (1u << 2) | (1u << 3);
	boot();

	char line[256];
	while (fgets(line, sizeof line, stdin) != NULL) {
		unsigned sender, child, type, ptype;
		char hex[128];
		uint8_t bytes[64];
		if (sscanf(line, "F %u %u %127s", &sender, &child, hex) == 3) {
			const int n = unhex(hex, bytes, sizeof bytes);
			MyMessage message;
			message.setSender((uint8_t)sender)
			    .setDestination(node_id)
			    .setSensor((uint8_t)child)
			    .setType(MYSEAL_STREAM_TYPE)
			    .setCommand(C_STREAM)
			    .set(bytes, n < 0 ? 0 : (size_t)n);
			myseal_stub_deliver(message);
			printf("V %s\n", myseal_verdict_name(seal.lastVerdict()));
		} else if (strncmp(line, "T ", 2) == 0) {
			myseal_stub_advance_millis((uint32_t)strtoul(line + 2, NULL, 10));
			seal.poll();
		} else if (strcmp(line, "B\n") == 0) {
			seal.setLocked(!seal.isLocked());
		} else if (sscanf(line, "P %u %u %u %127s", &child, &type, &ptype, hex) == 4) {
			const int n = unhex(hex, bytes, sizeof bytes);
			seal.report((uint8_t)child, (uint8_t)type, (uint8_t)ptype, bytes, (uint8_t)(n < 0 ? 0 : n));
		} else if (strcmp(line, "BOOT\n") == 0) {
			forget_ram();
			boot();
		} else if (strcmp(line, "S\n") == 0) {
			printf("S %d %u %lu\n", seal.isLocked() ? 1 : 0, seal.attemptsLeft(),
			       (unsigned long)seal.lockoutSeconds());
		} else {
			printf("? %s", line);
		}
		printf(".\n");
	}
	return 0;
}
