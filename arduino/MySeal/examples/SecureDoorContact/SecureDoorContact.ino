/*
 * SecureDoorContact: a battery door contact whose reports (V_TRIPPED) are sealed.
 *
 * Each open and close goes out as a sealed report: the controller accepts it only if it is
 * authentic and newer than the last one it accepted from this node, so nobody can fake an "all
 * closed", replay an old "closed" after opening the door, or pass another node's report off as
 * this one's. (Someone who jams the radio can still hold reports back; MySeal's controller then
 * sees nothing new, never something false.)
 *
 * The node sleeps until the contact changes. It reports the contact's state at start, and after
 * that each change it reads twice, SETTLE_MS apart: a contact that bounces or rattles for less
 * than that at a time is never reported as opened and closed again. Reports cost one EEPROM write
 * per 16 (the node's counters are reserved 16 at a time), and the node takes no commands (it
 * sleeps).
 *
 * Before flashing: copy myseal_node_7.h from `myseal keygen --node 7` next to this sketch (for
 * another node id, change the #include below).
 */
// The radio, as for any MySensors node. On Linux, MySensors' ./configure (--my-transport) picks it.
#if !defined(__linux__)
#define MY_RADIO_RF24
#endif

#if defined(__has_include)
#if !__has_include("myseal_node_7.h")
#error "Copy myseal_node_7.h (made by `myseal keygen --node 7`) next to this sketch"
#endif
#endif
#include "myseal_node_7.h"
#define MY_NODE_ID MYSEAL_NODE_ID

#include <MySensors.h>
#include <MySeal.h>

#define CONTACT_CHILD 1
#define CONTACT_PIN 3       // to ground when the door is closed (interrupt pin 1 on a Pro Mini)
#define SETTLE_MS 20        // a level counts when it reads the same this far apart

static const uint8_t mysealKey[16] PROGMEM = MYSEAL_KEY;
static MySeal seal;
static uint8_t reported = 0xff;  // nothing reported yet

// The contact's level once two readings SETTLE_MS apart agree.
static uint8_t settledReading(void)
{
	uint8_t reading = (uint8_t)digitalRead(CONTACT_PIN);
	for (;;) {
		wait(SETTLE_MS);
		const uint8_t again = (uint8_t)digitalRead(CONTACT_PIN);
		if (again == reading) {
			return reading;
		}
		reading = again;
	}
}

static void reportIfChanged(void)
{
	const uint8_t tripped = settledReading() == HIGH ? 1 : 0;  // open: tripped
	if (tripped != reported && seal.report(CONTACT_CHILD, V_TRIPPED, tripped)) {
		reported = tripped;
	}
}

void before()
{
	pinMode(CONTACT_PIN, INPUT_PULLUP);
	seal.noLock().begin(MYSEAL_NODE_ID, mysealKey, MYSEAL_PIN("0000"));
}

void presentation()
{
	sendSketchInfo("MySeal SecureDoorContact", "1.0");
	present(CONTACT_CHILD, S_DOOR, "front door");
}

void loop()
{
	reportIfChanged();
	// Until the contact changes (or an hour passes: then the state goes out again if a report
	// was lost).
	if (sleep(digitalPinToInterrupt(CONTACT_PIN), CHANGE, 3600000UL) == MY_WAKE_UP_BY_TIMER) {
		reported = 0xff;
	}
}
