/*
 * myseal-sim: runs an ATmega328P firmware in simavr for MySeal's tests and benchmarks.
 *
 *   myseal-sim [--mcu NAME] [--freq HZ] [--max-cycles N] [--report FILE] [--pin EVENT]...
 *              firmware.elf
 *
 * - UART0 is wired to stdin/stdout: every byte the firmware sends goes to stdout as is, and
 *   bytes read from stdin are fed to its receiver (a test can talk to the firmware over a pipe).
 * - Measured sections: the firmware writes k (1..127) to GPIOR0 to open section k and 0x80|k to
 *   close it. On closing, a line "section <k> cycles <c> stack <s>" goes to the report (stderr
 *   unless --report is given): c = CPU cycles from the opening write to the closing write, not
 *   counting the opening OUT itself (an empty section reads 1: the LDI of the closing value,
 *   with avr-gcc's usual "ldi r24,k / out" marks); s = the deepest the stack went
 *   below the stack pointer the section started with, in bytes (SP is sampled after every
 *   instruction, so calls, pushes and stack frames all count; interrupts would too; not between
 *   the two halves of a stack-pointer update).
 * - The world outside the pins: --pin D4=0@0 holds pin PD4 low from power-on (a button held
 *   down, a short), whatever the firmware's pull-up; D4=1@800 holds it high from 800 ms of
 *   simulated time on; D4=z@800 lets go of it (a button released: the pull-up, if the firmware
 *   turned it on, pulls it high; without one it keeps its last level). Events in time order.
 * - Exit: a write of v to GPIOR1 ends the run with exit status v. A firmware that sleeps with
 *   interrupts off ends it with status 0 (simavr's "done"). Otherwise: 2 bad arguments, 3 ELF not
 *   loadable, 124 cycle limit reached, 125 the core crashed.
 *
 * Cycle counts are exact and repeatable: simavr models the AVR instruction timings and nothing
 * here depends on the host's speed.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <simavr/avr_ioport.h>
#include <simavr/avr_uart.h>
#include <simavr/sim_avr.h>
#include <simavr/sim_elf.h>
#include <simavr/sim_io.h>
#include <simavr/sim_irq.h>

/* ATmega328P data-space addresses of the general purpose I/O registers (datasheet, ch. 36). */
#define ADDR_GPIOR0 0x3e
#define ADDR_GPIOR1 0x4a

#define MAX_SECTIONS 128

static avr_t *avr;
static FILE *report;

static struct {
	int open;
	avr_cycle_count_t start_cycle;
	uint16_t start_sp;
	uint16_t min_sp;
} sections[MAX_SECTIONS];
static int open_sections;

static int exit_requested = -1;

/* --pin events: port letter, bit, level (0, 1, or -1 to let go), when. */
#define MAX_PIN_EVENTS 32
static struct {
	char port;
	uint8_t bit;
	int level;
	avr_cycle_count_t at;
} pin_events[MAX_PIN_EVENTS];
static int pin_event_count, pin_events_done;
/* What the outside holds, per port 'A'..'L': the pins held (mask) and their levels. */
static uint8_t held_mask[12], held_value[12];

static int parse_pin_event(const char *text, unsigned long freq)
{
	char port, level;
	unsigned bit;
	unsigned long ms;
	int used = 0;
	if (pin_event_count == MAX_PIN_EVENTS ||
	    sscanf(text, "%c%u=%c@%lu%n", &port, &bit, &level, &ms, &used) != 4 ||
	    text[used] != '\0' || port < 'A' || port > 'L' || bit > 7 ||
	    (level != '0' && level != '1' && level != 'z')) {
		return -1;
	}
	avr_cycle_count_t at = (avr_cycle_count_t)ms * (freq / 1000);
	if (pin_event_count > 0 && at < pin_events[pin_event_count - 1].at) {
		return -1;
	}
	pin_events[pin_event_count].port = port;
	pin_events[pin_event_count].bit = (uint8_t)bit;
	pin_events[pin_event_count].level = level == 'z' ? -1 : level - '0';
	pin_events[pin_event_count].at = at;
	pin_event_count++;
	return 0;
}

/*
 * Holds a pin (simavr's "external" level of an input, which its pull-up does not override) or
 * lets go of it (then the pull-up, if on, pulls it high).
 */
static void apply_pin_event(int i)
{
	const char port = pin_events[i].port;
	const uint8_t mask = (uint8_t)(1u << pin_events[i].bit);
	avr_irq_t *pin = avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ(port), pin_events[i].bit);
	avr_ioport_state_t state;
	if (pin == NULL || avr_ioctl(avr, AVR_IOCTL_IOPORT_GETSTATE(port), &state) != 0) {
		fprintf(stderr, "myseal-sim: %s has no port %c\n", avr->mmcu, port);
		exit(2);
	}
	uint8_t *held = &held_mask[port - 'A'], *value = &held_value[port - 'A'];
	int level = pin_events[i].level;
	if (level < 0) {
		*held = (uint8_t)(*held & ~mask);
		*value = (uint8_t)(*value & ~mask);
		level = (state.port & mask) != 0 && (state.ddr & mask) == 0 ? 1 : -1;
	} else {
		*held = (uint8_t)(*held | mask);
		*value = level ? (uint8_t)(*value | mask) : (uint8_t)(*value & ~mask);
	}
	avr_ioport_external_t external = { .name = (unsigned long)port, .mask = *held, .value = *value };
	avr_ioctl(avr, AVR_IOCTL_IOPORT_SET_EXTERNAL(port), &external);
	if (level >= 0) {
		avr_raise_irq(pin, (uint32_t)level);
	}
}

static void apply_due_pin_events(void)
{
	while (pin_events_done < pin_event_count && avr->cycle >= pin_events[pin_events_done].at) {
		apply_pin_event(pin_events_done++);
	}
}

/*
 * stdin -> UART receiver, with simavr's flow control. simavr drops bytes that arrive while the
 * receiver is off, and says XON once the firmware has enabled it and polls an empty FIFO; so
 * nothing is sent before the first XON, and nothing between an XOFF (FIFO full) and the next XON.
 */
static int uart_rx_room = 0;
static int stdin_open = 1;
static unsigned char rx_queue[4096];
static size_t rx_head, rx_tail;
static avr_irq_t *uart_input_irq;

static uint16_t read_sp(void)
{
	return (uint16_t)(avr->data[R_SPL] | (avr->data[R_SPH] << 8));
}

/*
 * avr-gcc moves the stack pointer by writing SPH, then SREG, then SPL (interrupts off in between):
 * for two instructions SP holds the new high byte with the old low byte, up to 255 bytes away from
 * either value. The stack is not sampled then, or a frame that crosses a 256-byte boundary would
 * read as a stack 256 bytes deeper than it is.
 */
static int sp_half_written;

static void on_sph(struct avr_t *a, avr_io_addr_t addr, uint8_t v, void *param)
{
	(void)param;
	a->data[addr] = v;
	sp_half_written = 1;
}

static void on_spl(struct avr_t *a, avr_io_addr_t addr, uint8_t v, void *param)
{
	(void)param;
	a->data[addr] = v;
	sp_half_written = 0;
}

static void on_uart_output(struct avr_irq_t *irq, uint32_t value, void *param)
{
	(void)irq;
	(void)param;
	unsigned char c = (unsigned char)value;
	if (fwrite(&c, 1, 1, stdout) != 1) {
		exit(1);
	}
	if (c == '\n') {
		fflush(stdout);
	}
}

static void on_uart_xon(struct avr_irq_t *irq, uint32_t value, void *param)
{
	(void)irq;
	(void)param;
	if (value != 0) {
		uart_rx_room = 1;
	}
}

static void on_uart_xoff(struct avr_irq_t *irq, uint32_t value, void *param)
{
	(void)irq;
	(void)param;
	if (value != 0) {
		uart_rx_room = 0;
	}
}

static void on_gpior0(struct avr_t *a, avr_io_addr_t addr, uint8_t v, void *param)
{
	(void)param;
	a->data[addr] = v;
	unsigned k = v & 0x7fu;
	if (k == 0) {
		return;
	}
	if ((v & 0x80u) == 0) {
		if (!sections[k].open) {
			open_sections++;
		}
		sections[k].open = 1;
		sections[k].start_cycle = a->cycle;
		sections[k].start_sp = read_sp();
		sections[k].min_sp = sections[k].start_sp;
	} else if (sections[k].open) {
		sections[k].open = 0;
		open_sections--;
		/* a->cycle has not counted the closing OUT yet; the opening OUT (1 cycle) is dropped. */
		avr_cycle_count_t cycles = a->cycle - sections[k].start_cycle - 1;
		unsigned stack = (unsigned)(sections[k].start_sp - sections[k].min_sp);
		fprintf(report, "section %u cycles %" PRIu64 " stack %u\n", k, (uint64_t)cycles, stack);
		fflush(report);
	}
}

static void on_gpior1(struct avr_t *a, avr_io_addr_t addr, uint8_t v, void *param)
{
	(void)param;
	a->data[addr] = v;
	exit_requested = v;
}

static void pump_stdin(void)
{
	if (stdin_open && rx_tail - rx_head < sizeof rx_queue / 2) {
		struct pollfd pfd = { .fd = 0, .events = POLLIN, .revents = 0 };
		if (poll(&pfd, 1, 0) > 0) {
			unsigned char buf[256];
			ssize_t n = read(0, buf, sizeof buf);
			if (n <= 0) {
				stdin_open = 0;
			} else {
				for (ssize_t i = 0; i < n; i++) {
					rx_queue[rx_tail++ % sizeof rx_queue] = buf[i];
				}
			}
		}
	}
	while (uart_rx_room && rx_head != rx_tail) {
		avr_raise_irq(uart_input_irq, rx_queue[rx_head++ % sizeof rx_queue]);
	}
}

/* simavr's own messages go to stderr (stdout carries the UART); progress chatter is dropped. */
static void sim_logger(struct avr_t *a, const int level, const char *format, va_list ap)
{
	(void)a;
	if (level <= LOG_WARNING) {
		vfprintf(stderr, format, ap);
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: myseal-sim [--mcu NAME] [--freq HZ] [--max-cycles N] "
	                "[--report FILE] [--pin D4=0@MS]... firmware.elf\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *mcu = "atmega328p";
	unsigned long freq = 16000000UL;
	unsigned long long max_cycles = 1000000000ULL;
	const char *elf_path = NULL;
	const char *pin_texts[MAX_PIN_EVENTS];
	int pin_text_count = 0;
	report = stderr;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--mcu") == 0 && i + 1 < argc) {
			mcu = argv[++i];
		} else if (strcmp(argv[i], "--freq") == 0 && i + 1 < argc) {
			freq = strtoul(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--max-cycles") == 0 && i + 1 < argc) {
			max_cycles = strtoull(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--report") == 0 && i + 1 < argc) {
			report = fopen(argv[++i], "w");
			if (report == NULL) {
				perror("myseal-sim: --report");
				return 2;
			}
		} else if (strcmp(argv[i], "--pin") == 0 && i + 1 < argc &&
		           pin_text_count < MAX_PIN_EVENTS) {
			pin_texts[pin_text_count++] = argv[++i];
		} else if (argv[i][0] == '-' || elf_path != NULL) {
			usage();
		} else {
			elf_path = argv[i];
		}
	}
	if (elf_path == NULL) {
		usage();
	}
	for (int i = 0; i < pin_text_count; i++) {
		if (parse_pin_event(pin_texts[i], freq) != 0) {
			fprintf(stderr, "myseal-sim: bad --pin %s (D4=0@MS, 0|1|z, in time order)\n",
			        pin_texts[i]);
			return 2;
		}
	}

	avr_global_logger_set(sim_logger);

	elf_firmware_t firmware;
	memset(&firmware, 0, sizeof firmware);
	if (elf_read_firmware(elf_path, &firmware) != 0) {
		fprintf(stderr, "myseal-sim: cannot load %s\n", elf_path);
		return 3;
	}
	avr = avr_make_mcu_by_name(mcu);
	if (avr == NULL) {
		fprintf(stderr, "myseal-sim: unknown mcu %s\n", mcu);
		return 2;
	}
	avr_init(avr);
	avr->log = LOG_ERROR;
	/* The firmware's own .mmcu section (if any) must not change the clock the figures assume. */
	snprintf(firmware.mmcu, sizeof firmware.mmcu, "%s", mcu);
	firmware.frequency = (uint32_t)freq;
	avr_load_firmware(avr, &firmware);
	avr->frequency = (uint32_t)freq;

	/* UART0: no simavr console echo and no host sleeping while the firmware polls. */
	uint32_t uart_flags = 0;
	avr_ioctl(avr, AVR_IOCTL_UART_SET_FLAGS('0'), &uart_flags);
	avr_irq_t *out = avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUTPUT);
	avr_irq_t *xon = avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XON);
	avr_irq_t *xoff = avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XOFF);
	uart_input_irq = avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_INPUT);
	if (out == NULL || xon == NULL || xoff == NULL || uart_input_irq == NULL) {
		fprintf(stderr, "myseal-sim: %s has no UART0\n", mcu);
		return 2;
	}
	avr_irq_register_notify(out, on_uart_output, NULL);
	avr_irq_register_notify(xon, on_uart_xon, NULL);
	avr_irq_register_notify(xoff, on_uart_xoff, NULL);

	avr_register_io_write(avr, ADDR_GPIOR0, on_gpior0, NULL);
	avr_register_io_write(avr, ADDR_GPIOR1, on_gpior1, NULL);
	avr_register_io_write(avr, R_SPH, on_sph, NULL);
	avr_register_io_write(avr, R_SPL, on_spl, NULL);

	int fl = fcntl(0, F_GETFL);
	if (fl != -1) {
		(void)fcntl(0, F_SETFL, fl | O_NONBLOCK);
	}

	int status = 0;
	unsigned long long steps = 0;
	apply_due_pin_events();  // what holds a pin from power-on
	for (;;) {
		int state = avr_run(avr);
		if (pin_events_done < pin_event_count) {
			apply_due_pin_events();
		}
		if (open_sections > 0 && !sp_half_written) {
			uint16_t sp = read_sp();
			for (int k = 1; k < MAX_SECTIONS; k++) {
				if (sections[k].open && sp < sections[k].min_sp) {
					sections[k].min_sp = sp;
				}
			}
		}
		if (exit_requested >= 0) {
			status = exit_requested;
			break;
		}
		if (state == cpu_Done) {
			status = 0;
			break;
		}
		if (state == cpu_Crashed) {
			fprintf(stderr, "myseal-sim: core crashed at pc 0x%04x, cycle %" PRIu64 "\n",
			        (unsigned)avr->pc, (uint64_t)avr->cycle);
			status = 125;
			break;
		}
		if (avr->cycle >= max_cycles) {
			fprintf(stderr, "myseal-sim: cycle limit %llu reached\n", max_cycles);
			status = 124;
			break;
		}
		if ((++steps & 0x3ffu) == 0) {
			pump_stdin();
		}
	}
	fflush(stdout);
	if (report != stderr) {
		fclose(report);
	}
	avr_terminate(avr);
	return status;
}
