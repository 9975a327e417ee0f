/*
 * main() for a sketch built on the MySensors stand-in, in the order MySensors 2.3 calls the
 * sketch (core/MySensorsCore.cpp _begin(), then _process() and loop() for ever): before(),
 * presentation(), setup(), loop(); on the chip, a message read from an I/O register goes to
 * receive() now and then, as the radio would bring one (so the sketch's receive path is built
 * and measured too).
 */
#include <MySensors.h>

int main(void)
{
#if defined(__AVR__)
	myseal_stub_init_timer();
#endif
	myseal_stub_begin();
	for (;;) {
#if defined(__AVR__)
		if (GPIOR2 != 0) {
			uint8_t payload[MAX_PAYLOAD_SIZE];
			for (uint8_t i = 0; i < sizeof payload; i++) {
				payload[i] = GPIOR2;
			}
			MyMessage message;
			message.setSender(GPIOR2).setSensor(GPIOR2).setType(GPIOR2);
			message.setCommand((mysensors_command_t)(GPIOR2 & 7)).set(payload, GPIOR2);
			myseal_stub_deliver(message);
		}
#endif
		if (loop) {
			loop();
		}
	}
}
