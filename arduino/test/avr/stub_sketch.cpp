/*
 * The MySensors stand-in on the ATmega328P: a node-like program using MyMessage, send(),
 * present(), saveState()/loadState() (real EEPROM through avr-libc) and millis() (Timer0
 * interrupts, as the Arduino core does), checked on the simulated chip.
 * Prints "ok avr-stubs <checks>" or "FAIL avr-stubs <line>" lines.
 */
#include <MySensors.h>

#include "avr_io.h"

static uint8_t checks, failures;

static void expect(bool ok, uint16_t line)
{
	checks++;
	if (!ok) {
		failures++;
		avrio_puts_P(PSTR("FAIL avr-stubs line "));
		avrio_put_u32(line);
		avrio_putc('\n');
	}
}
#define EXPECT(cond) expect((cond), __LINE__)

int main(void)
{
	avrio_init();
	myseal_stub_init_timer();

	MyMessage lock(1, V_LOCK_STATUS);
	lock.set((uint8_t)1);
	EXPECT(lock.getSensor() == 1 && lock.getType() == V_LOCK_STATUS && lock.getByte() == 1);
	const uint8_t frame[] = { 0xc0, 0xff, 0xee, 0x00, 0x11 };
	MyMessage bin(2, V_CUSTOM);
	bin.setCommand(C_STREAM).set(frame, sizeof frame);
	EXPECT(bin.getLength() == 5 && memcmp(bin.getCustom(), frame, 5) == 0);
	EXPECT(sizeof(MyMessage) == HEADER_SIZE + MAX_PAYLOAD_SIZE + 1);

	myseal_stub_set_node_id(7);
	present(1, S_LOCK);
	send(lock);
	EXPECT(myseal_stub_sent_count() == 2 && myseal_stub_sent(1).getSender() == 7);

	saveState(3, 0x5a);
	EXPECT(loadState(3) == 0x5a);
	EXPECT(eeprom_read_byte((const uint8_t *)(EEPROM_LOCAL_CONFIG_ADDRESS + 3)) == 0x5a);

	uint32_t t0 = millis();
	delay(20);
	uint32_t elapsed = millis() - t0;
	EXPECT(elapsed >= 20 && elapsed <= 22);

	if (failures == 0) {
		avrio_puts_P(PSTR("ok avr-stubs "));
		avrio_put_u32(checks);
		avrio_putc('\n');
	}
	avrio_exit(failures == 0 ? 0 : 1);
}
