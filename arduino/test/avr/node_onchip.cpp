/*
 * The node test suites of the host (arduino/test/host: golden vectors and exchanges, the lock's
 * state machine, power cuts) on a simulated ATmega1284P, against the node as avr-gcc builds it for
 * the chip (AES and CCM in assembly), storing through MySeal.h (test/host/node_storage.cpp). The
 * 1284P has the same core as the 328P and the room (16 KB RAM) for the harness and an EEPROM in
 * RAM that can lose power after any byte.
 *
 * Input on UART0: a line "vectors" (then the vector lines, then "END"), "lock" or "powercut".
 * Output: the harness's lines, then the simulator's exit status is the harness's.
 */
#include <stdio.h>
#include <string.h>

#include "avr_io.h"
#include "node_harness.h"

static int put(char c, FILE *stream)
{
	(void)stream;
	avrio_putc(c);
	return 0;
}

static int get(FILE *stream)
{
	(void)stream;
	return avrio_getc();
}

int main(void)
{
	avrio_init();
	fdevopen(put, get);  // stdout, stderr and stdin: the UART
	char mode[16];
	int status = 2;
	if (fgets(mode, sizeof mode, stdin) != NULL) {
		if (strncmp(mode, "vectors", 7) == 0) {
			status = run_vectors(stdin);
		} else if (strncmp(mode, "lock", 4) == 0) {
			status = run_lock();
		} else if (strncmp(mode, "powercut", 8) == 0) {
			status = run_powercut();
		}
	}
	avrio_exit((uint8_t)status);
}
