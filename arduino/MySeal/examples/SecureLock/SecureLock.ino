/*
 * SecureLock: a MySensors door lock that obeys only sealed commands.
 *
 * A servo turns the bolt, a push button locks or unlocks by hand, an LED shows "unlocked", and the
 * lock locks itself again 5 s after it was opened. The button acts only on a press that begins
 * after start-up: a button held down at power-on, a pin shorted to ground or a pin that reads LOW
 * for want of one (MySensors on Linux) never turns the lock. Unlocking needs the PIN, sent sealed
 * by MySeal on the controller host and checked here: five wrong PINs in a row lock it out for
 * 60 s, doubling up to 24 h, across power cuts. Plain MySensors messages can no longer move the
 * bolt.
 *
 * Before flashing:
 *   1. `myseal keygen --node 5` writes myseal_node_5.h (the node id and its key: a secret). Copy it
 *      next to this sketch; for another node id, change the #include below to its file name.
 *   2. Set MYSEAL_INITIAL_PIN, the PIN of the first boot (4 to 8 digits). From then on the PIN
 *      lives in the node's EEPROM: change it through MySeal (set-PIN), not here.
 *   3. Adjust the pins and angles below, and the radio as in any MySensors sketch.
 * The controller side: a `kind: lock` child for node 5 in MySeal's configuration, the child the key
 * header names (MYSEAL_LOCK_CHILD, 1 unless `myseal keygen --lock-child` said otherwise).
 */

// The radio, as for any MySensors node. On Linux, MySensors' ./configure (--my-transport) picks it.
#if !defined(__linux__)
#define MY_RADIO_RF24
#endif

// Node id and key from `myseal keygen`: the node id must be MySensors' node id.
#if defined(__has_include)
#if !__has_include("myseal_node_5.h")
#error "Copy myseal_node_5.h (made by `myseal keygen --node 5`) next to this sketch"
#endif
#endif
#include "myseal_node_5.h"
#define MY_NODE_ID MYSEAL_NODE_ID

#include <MySensors.h>
#include <MySeal.h>
#include <Servo.h>

// The PIN of the first boot only (4 to 8 digits; a bad one does not compile).
#define MYSEAL_INITIAL_PIN "1234"

#define LOCK_CHILD MYSEAL_LOCK_CHILD  // from the key header: `myseal keygen --lock-child` (1 unless said)
#define SERVO_PIN 5
#define BUTTON_PIN 4        // to ground when pressed
#define LED_PIN 6           // on while unlocked
#define LOCKED_ANGLE 0
#define UNLOCKED_ANGLE 90
#define RELOCK_MS 5000      // 0: stay unlocked until locked
#define DEBOUNCE_MS 50      // the button's level must hold this long to count

static const uint8_t mysealKey[16] PROGMEM = MYSEAL_KEY;
static MySeal seal;
static Servo bolt;

// MySeal calls this whenever the bolt must move: a sealed unlock or lock, the button,
// auto-relock. The new state is already in EEPROM.
void mysealLockChanged(bool locked)
{
	bolt.write(locked ? LOCKED_ANGLE : UNLOCKED_ANGLE);
	digitalWrite(LED_PIN, locked ? LOW : HIGH);
}

void before()
{
	pinMode(BUTTON_PIN, INPUT_PULLUP);
	pinMode(LED_PIN, OUTPUT);
	bolt.attach(SERVO_PIN);
	seal.lockChild(LOCK_CHILD)
	    .autoRelock(RELOCK_MS)
	    .begin(MYSEAL_NODE_ID, mysealKey, MYSEAL_PIN(MYSEAL_INITIAL_PIN));
	mysealLockChanged(seal.isLocked());  // back where it was at the last power cut
}

void presentation()
{
	sendSketchInfo("MySeal SecureLock", "1.0");
	present(LOCK_CHILD, S_LOCK, "door");
}

void setup()
{
	// Tell the controller the state we start in: sealed, as every lock report.
	seal.report(LOCK_CHILD, V_LOCK_STATUS, seal.isLocked() ? 1 : 0);
}

void receive(const MyMessage &message)
{
	if (seal.handle(message)) {
		return;  // a sealed frame: MySeal answered it (or ignored it, if it was not authentic)
	}
	// Anything else is plain MySensors. A plain V_LOCK_STATUS is deliberately not obeyed here:
	// whoever can reach the radio or the gateway could send one.
}

// True once for each press: the button's level, held DEBOUNCE_MS, went from released to pressed.
// It starts out as pressed, so only a press after the button has been seen released counts.
static bool buttonPressed(void)
{
	static uint8_t level = LOW;        // the debounced level
	static uint8_t lastReading = LOW;  // and since when the pin has read so
	static uint32_t since;
	const uint8_t reading = (uint8_t)digitalRead(BUTTON_PIN);
	if (reading != lastReading) {
		lastReading = reading;
		since = millis();
		return false;
	}
	if (reading == level || millis() - since < DEBOUNCE_MS) {
		return false;
	}
	level = reading;
	return level == LOW;
}

void loop()
{
	seal.poll();  // lockout clock, auto-relock

	if (buttonPressed()) {
		seal.setLocked(!seal.isLocked());  // moves the bolt and sends a sealed report
	}
}
