/*
 * main() that runs one of the library's example sketches on the MySensors stand-in, on the host and
 * on the simulated ATmega328P (arduino/test/examples-run.test.ts): before(), presentation(),
 * setup(), then loop() for ever, as MySensors 2.3 calls a sketch. Its pins' outside is scripted
 * from power-on: on the host by the arguments, on the chip by the simulator (myseal-sim --pin).
 *
 *   host:  sketch_run <run-ms> [<pin>=<0|1|z>@<ms>]...   (z: nothing holds the pin)
 *   chip:  myseal-sim --pin D4=0@0 ... sketch.elf        (runs until its cycle limit)
 *
 * Built with MYSEAL_RUN_NODE, the example's node id. *
 * Out, one line each, after the node's millis():
 *   <ms> <node>;<child>;<command>;0;<type>;<HEX>   a message the sketch sent, as a serial gateway
 *                                                  prints it (the payload in hex)
 *   <ms> W <pin> <level>                           a digitalWrite(): an LED, a relay, ...
 * On the host the fake clock moves 1 ms after each loop() (and as the sketch waits).
 */
#include <MySensors.h>

#if defined(__AVR__)
#include "avr_io.h"

#define OUT_TEXT(text) avrio_puts_P(PSTR(text))
static void out_u32(uint32_t value) { avrio_put_u32(value); }
static void out_hex(const uint8_t *bytes, uint8_t n) { avrio_put_hex(bytes, n); }
#else
#include <stdio.h>
#include <stdlib.h>

#define OUT_TEXT(text) fputs(text, stdout)
static void out_u32(uint32_t value) { printf("%lu", (unsigned long)value); }
static void out_hex(const uint8_t *bytes, uint8_t n)
{
	for (uint8_t i = 0; i < n; i++) {
		printf("%02X", bytes[i]);
	}
}
#endif

static void out_time(void)
{
	out_u32(millis());
	OUT_TEXT(" ");
}

static void print_message(const MyMessage &message)
{
	out_time();
	out_u32(message.getSender());
	OUT_TEXT(";");
	out_u32(message.getSensor());
	OUT_TEXT(";");
	out_u32(message.getCommand());
	OUT_TEXT(";0;");
	out_u32(message.getType());
	OUT_TEXT(";");
	out_hex(static_cast<const uint8_t *>(message.getCustom()), message.getLength());
	OUT_TEXT("\n");
}

static void print_write(uint8_t pin, uint8_t value)
{
	out_time();
	OUT_TEXT("W ");
	out_u32(pin);
	OUT_TEXT(" ");
	out_u32(value);
	OUT_TEXT("\n");
}

/* MySensors' start: the node id (the example's MY_NODE_ID, given here too), then the sketch. */
static void start(void)
{
	myseal_stub_set_node_id(MYSEAL_RUN_NODE);
	myseal_stub_on_send = print_message;
	myseal_stub_on_write = print_write;
	myseal_stub_begin();
}

#if defined(__AVR__)

int main(void)
{
	avrio_init();
	myseal_stub_init_timer();
	start();
	for (;;) {
		loop();
	}
}

#else

static void usage(void)
{
	fprintf(stderr, "usage: sketch_run <run-ms> [<pin>=<0|1|z>@<ms>]...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage();
	}
	const uint32_t run_ms = (uint32_t)strtoul(argv[1], NULL, 10);
	for (int i = 2; i < argc; i++) {
		unsigned pin;
		char level;
		unsigned long at;
		int used = 0;
		if (sscanf(argv[i], "%u=%c@%lu%n", &pin, &level, &at, &used) != 3 || argv[i][used] != '\0' ||
		    (level != '0' && level != '1' && level != 'z')) {
			usage();
		}
		myseal_stub_drive_pin((uint8_t)pin, level == 'z' ? MYSEAL_STUB_FLOATING : (uint8_t)(level - '0'),
		                      (uint32_t)at);
	}
	start();
	while (millis() < run_ms) {
		loop();
		myseal_stub_advance_millis(1);
	}
	return 0;
}

#endif
