/*
 * MySeal node size probe (bench/avr.ts): a door-lock sketch on the MySensors stand-in, built
 * twice. With MYSEAL_PROBE_WITH=1 it is a MySeal lock: sealed commands (unlock with PIN,
 * lockout, set-PIN, rotate-key, sealed sets), challenges, counters in EEPROM, auto-relock and a
 * button with sealed reports. With 0 it is the plain MySensors lock it replaces: V_LOCK_STATUS
 * sets move the bolt, the button reports. The difference in flash and static RAM is what MySeal
 * adds to a node, all of it: AES, CCM, frames, counters, challenges, lock logic, the adapter.
 * Messages come in from an I/O register, so the compiler can neither precompute nor drop code.
 * The plain lock uses the MyMessage accessors and _sendRoute() a MySensors node links anyway (its
 * transport and build() use them), and millis() (every Arduino sketch has it, and its button
 * debounces with it), so they do not count as MySeal's.
 */
#include <MySensors.h>

#if MYSEAL_PROBE_WITH
#include <MySeal.h>

static const uint8_t probe_key[16] PROGMEM = { 0x6d, 0x79, 0x73, 0x65, 0x61, 0x31, 0xc0, 0xff,
                                               0xee, 0x5e, 0xed, 0x01, 0x23, 0x45, 0x67, 0x89 };
static MySeal seal;

void mysealLockChanged(bool locked)
{
	GPIOR1 = locked;  // the bolt
}

bool mysealSet(uint8_t child, uint8_t type, uint8_t payloadType, const uint8_t *value,
               uint8_t length)
{
	GPIOR1 = (uint8_t)(child ^ type ^ payloadType ^ length ^ value[0]);  // a relay
	return child == 2;
}
#endif

void receive(const MyMessage &message)
{
#if MYSEAL_PROBE_WITH
	if (seal.handle(message)) {
		return;
	}
#else
	if (message.getCommand() == C_SET && message.getType() == V_LOCK_STATUS &&
	    message.getLength() == 1) {
		const uint8_t locked = *static_cast<const uint8_t *>(message.getCustom());
		GPIOR1 = locked;
		MyMessage status;
		status.setSender(getNodeId())
		    .setDestination(message.getSender())
		    .setSensor(message.getSensor())
		    .setType(V_LOCK_STATUS)
		    .setCommand(C_SET)
		    .set(&locked, 1);
		_sendRoute(status);
	}
#endif
}

int main(void)
{
	myseal_stub_init_timer();
#if MYSEAL_PROBE_WITH
	seal.lockChild(1).autoRelock(5000).guard(3).begin(5, probe_key, MYSEAL_PIN("1234"));
#endif
	present(1, S_LOCK);
	for (;;) {
		MyMessage message;
		message.setSender(GPIOR2).setSensor(GPIOR2).setCommand((mysensors_command_t)GPIOR2);
		message.setType(GPIOR2);
		uint8_t payload[MAX_PAYLOAD_SIZE];
		const uint8_t length = GPIOR2;
		for (uint8_t i = 0; i < sizeof payload; i++) {
			payload[i] = GPIOR2;
		}
		message.set(payload, length);
		myseal_stub_deliver(message);
		static uint32_t last_press;
		const bool pressed = (GPIOR2 & 1) && millis() - last_press > 50;  // the button
		if (pressed) {
			last_press = millis();
		}
#if MYSEAL_PROBE_WITH
		seal.poll();
		if (pressed) {
			seal.setLocked(!seal.isLocked());
		}
#else
		if (pressed) {
			static bool locked;
			locked = !locked;
			GPIOR1 = locked;
			MyMessage status(1, V_LOCK_STATUS);
			send(status.set(locked));
		}
#endif
	}
}
