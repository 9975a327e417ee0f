/*
 * SecureRelay: a MySensors relay (V_STATUS on/off) switched only by sealed commands.
 *
 * MySeal seals the set end to end, from the controller host through gateway and radio: nobody can
 * switch it by sending a plain "2;1;1;0;2;1", replay a recorded set, or switch another node's
 * relay. With GUARDED set to 1 (a garage door, a gate), every set must also be bound to a fresh
 * challenge from this node, like an unlock (configure the child with `critical: true` in MySeal);
 * a set recorded while the node was jammed is then useless after 10 s.
 *
 * The relay's state survives a power cut with saveState(), which MySeal leaves alone (its own
 * EEPROM area starts 256 bytes further, MYSEAL_EEPROM_BASE).
 *
 * Before flashing: copy myseal_node_6.h from `myseal keygen --node 6` next to this sketch (for
 * another node id, change the #include below).
 */
// The radio, as for any MySensors node. On Linux, MySensors' ./configure (--my-transport) picks it.
#if !defined(__linux__)
#define MY_RADIO_RF24
#endif

#if defined(__has_include)
#if !__has_include("myseal_node_6.h")
#error "Copy myseal_node_6.h (made by `myseal keygen --node 6`) next to this sketch"
#endif
#endif
#include "myseal_node_6.h"
#define MY_NODE_ID MYSEAL_NODE_ID

#include <MySensors.h>
#include <MySeal.h>

#define RELAY_CHILD 1
#define RELAY_PIN 4
#define RELAY_ON HIGH
#define GUARDED 0           // 1: every set must be bound to a challenge
#define STATE_POSITION 0    // saveState() position of the relay's state

static const uint8_t mysealKey[16] PROGMEM = MYSEAL_KEY;
static MySeal seal;

static void relay(bool on)
{
	digitalWrite(RELAY_PIN, on ? RELAY_ON : !RELAY_ON);
	saveState(STATE_POSITION, on ? 1 : 0);
}

// A sealed set arrived (authentic, fresh, and challenge-bound when guarded). Return false when
// this child cannot take it: the controller gets NOT_SUPPORTED.
bool mysealSet(uint8_t child, uint8_t type, uint8_t payloadType, const uint8_t *value,
               uint8_t length)
{
	if (child != RELAY_CHILD || type != V_STATUS || payloadType != P_BYTE || length != 1 ||
	    value[0] > 1) {
		return false;
	}
	relay(value[0] == 1);
	return true;
}

void before()
{
	pinMode(RELAY_PIN, OUTPUT);
	relay(loadState(STATE_POSITION) == 1);
	seal.noLock();  // this node has no lock: lock commands are refused
	if (GUARDED) {
		seal.guard(RELAY_CHILD);
	}
	// No PIN is ever asked on this node; the first-boot PIN is only stored.
	seal.begin(MYSEAL_NODE_ID, mysealKey, MYSEAL_PIN("0000"));
}

void presentation()
{
	sendSketchInfo("MySeal SecureRelay", "1.0");
	present(RELAY_CHILD, S_BINARY, "relay");
}

void setup()
{
	seal.report(RELAY_CHILD, V_STATUS, loadState(STATE_POSITION) == 1 ? 1 : 0);
}

void receive(const MyMessage &message)
{
	if (seal.handle(message)) {
		return;
	}
	// Plain sets (C_SET V_STATUS) are not obeyed: only sealed ones move the relay.
}

void loop()
{
	seal.poll();
}
