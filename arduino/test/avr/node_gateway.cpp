/*
 * A MySeal lock node behind a stand-in serial gateway, in one ATmega328P firmware, for the
 * end-to-end test (arduino/test/avr-node.test.ts): the TypeScript controller writes gateway lines
 * to the simulated chip's UART and reads the node's answers back as gateway lines, as it would
 * from a MySensors serial gateway with the lock on the radio.
 *
 * The sketch part is an ordinary MySeal lock (MySeal.h on the MySensors stand-in, node 5, lock on
 * child 1, the key of the golden vectors, PIN 1234). The gateway part, on UART0 (1 Mbaud):
 *
 *   node;child;command;echo;type;payload      a message for the node, C_STREAM payloads in hex:
 *                                             delivered to receive() as the radio would
 *   #W <ms>                                   time passes (delay())
 *   #B                                        the button
 *   #S                                        "#S <locked> <attempts> <lockout seconds>"
 *   #Q                                        the end: the simulator exits with status 0
 *
 * Out: every message the node sends, as the gateway prints it ("5;1;4;0;83;<HEX>"); "#L 0|1" when
 * the bolt moves; "#V <n>" the verdict (myseal_verdict.h) after a message; "#." after each input
 * line. Between lines the clock is stopped: time on the node passes only while it works and when
 * the test says so, so a challenge window is measured in the node's time, not the host's.
 */
#include <MySensors.h>
#include <MySeal.h>
#include <avr/interrupt.h>

#include "avr_io.h"

static const uint8_t node_key[16] PROGMEM = { 0x6d, 0x79, 0x73, 0x65, 0x61, 0x31, 0xc0, 0xff,
                                              0xee, 0x5e, 0xed, 0x01, 0x23, 0x45, 0x67, 0x89 };
static MySeal seal;

void mysealLockChanged(bool locked)
{
	avrio_puts_P(locked ? PSTR("#L 1\n") : PSTR("#L 0\n"));
}

void receive(const MyMessage &message)
{
	if (!seal.handle(message)) {
		avrio_puts_P(PSTR("#N\n"));  // not MySeal's: the sketch's own
	}
}

/* What a serial gateway prints for a message from a node: binary payloads in upper-case hex. */
static void print_message(const MyMessage &message)
{
	avrio_put_u32(message.getSender());
	avrio_putc(';');
	avrio_put_u32(message.getSensor());
	avrio_putc(';');
	avrio_put_u32(message.getCommand());
	avrio_puts_P(PSTR(";0;"));
	avrio_put_u32(message.getType());
	avrio_putc(';');
	avrio_put_hex(static_cast<const uint8_t *>(message.getCustom()), message.getLength());
	avrio_putc('\n');
}

static void clock_run(bool on)
{
	TCCR0B = on ? (uint8_t)((1 << CS01) | (1 << CS00)) : (uint8_t)0;
}

static uint8_t read_line(char *line, uint8_t size)
{
	uint8_t n = 0;
	for (;;) {
		const char c = (char)avrio_getc();
		if (c == '\n') {
			line[n] = '\0';
			return n;
		}
		if (c != '\r' && n + 1 < size) {
			line[n++] = c;
		}
	}
}

static uint32_t number(const char **p)
{
	uint32_t v = 0;
	while (**p >= '0' && **p <= '9') {
		v = v * 10 + (uint32_t)(*(*p)++ - '0');
	}
	if (**p == ';' || **p == ' ') {
		(*p)++;
	}
	return v;
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void gateway_message(const char *p)
{
	const uint8_t node = (uint8_t)number(&p), child = (uint8_t)number(&p);
	const uint8_t command = (uint8_t)number(&p);
	(void)number(&p);  // echo
	const uint8_t type = (uint8_t)number(&p);
	uint8_t payload[MAX_PAYLOAD_SIZE];
	uint8_t n = 0;
	// As the gateway does for C_STREAM: hex to bytes (at most 25).
	while (p[0] != '\0' && p[1] != '\0' && n < sizeof payload) {
		const int hi = nibble(p[0]), lo = nibble(p[1]);
		if (hi < 0 || lo < 0) {
			break;
		}
		payload[n++] = (uint8_t)(hi << 4 | lo);
		p += 2;
	}
	if (node != getNodeId()) {
		return;  // another node's: the radio would not bring it here
	}
	MyMessage message;
	message.setSender(GATEWAY_ADDRESS)
	    .setDestination(node)
	    .setSensor(child)
	    .setType(type)
	    .setCommand((mysensors_command_t)command)
	    .set(payload, n);
	myseal_stub_deliver(message);
	avrio_puts_P(PSTR("#V "));
	avrio_put_u32(seal.lastVerdict());
	avrio_putc('\n');
}

int main(void)
{
	avrio_init();
	myseal_stub_init_timer();
	myseal_stub_set_node_id(5);
	myseal_stub_on_send = print_message;
	seal.lockChild(1).begin(5, node_key, MYSEAL_PIN("1234"));
	avrio_puts_P(PSTR("#READY\n"));
	char line[110];
	for (;;) {
		clock_run(false);
		read_line(line, sizeof line);
		clock_run(true);
		if (line[0] == '#') {
			const char *p = line + 3;
			if (line[1] == 'W') {
				delay(number(&p));
			} else if (line[1] == 'B') {
				seal.setLocked(!seal.isLocked());
			} else if (line[1] == 'Q') {
				avrio_exit(0);
			} else if (line[1] == 'S') {
				avrio_puts_P(PSTR("#S "));
				avrio_put_u32(seal.isLocked());
				avrio_putc(' ');
				avrio_put_u32(seal.attemptsLeft());
				avrio_putc(' ');
				avrio_put_u32(seal.lockoutSeconds());
				avrio_putc('\n');
			}
		} else if (line[0] != '\0') {
			gateway_message(line);
		}
		seal.poll();
		avrio_puts_P(PSTR("#.\n"));
	}
}
