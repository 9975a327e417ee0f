/*
 * The pins of MySeal's Linux test gateway and node (arduino/test/linux), in memory: built in place
 * of MySensors' hal/architecture/Linux/drivers/core/GPIO.cpp, behind its unchanged GPIO.h (the
 * class and the global `GPIO` that Arduino.h's pinMode/digitalWrite/digitalRead call).
 *
 * Why: MySensors' GPIO drives pins through /sys/class/gpio, and its constructor, which runs at
 * start-up in every Linux build, exits when that directory is missing (containers, CI runners,
 * most PCs). Making it exist needs root and changes the host's kernel interface for everyone;
 * the test needs neither real pins nor any side effect outside its own processes.
 *
 * What a sketch sees: an output reads back what was written to it, and every write is a line on
 * stdout, "pin <pin> <level>" (the test reads the lock's LED that way); an input with the pull-up
 * on (INPUT_PULLUP) reads HIGH, a released button; a plain input reads LOW, as an unconnected
 * pin of MySensors on Linux does.
 */
#include <stdio.h>
#include <string.h>

#include "GPIO.h"
#include "myseal_linux_pins.h"

GPIOClass GPIO = GPIOClass();

namespace
{
const int PIN_COUNT = 256;
uint8_t pinModes[PIN_COUNT];
}

// exportedPins keeps each pin's level here (nothing is ever exported to sysfs).
GPIOClass::GPIOClass() : lastPinNum(PIN_COUNT - 1), exportedPins(new uint8_t[PIN_COUNT])
{
	memset(exportedPins, LOW, PIN_COUNT);
}

GPIOClass::GPIOClass(const GPIOClass &other)
	: lastPinNum(other.lastPinNum), exportedPins(new uint8_t[PIN_COUNT])
{
	memcpy(exportedPins, other.exportedPins, PIN_COUNT);
}

GPIOClass::~GPIOClass()
{
	delete[] exportedPins;
}

GPIOClass &GPIOClass::operator=(const GPIOClass &other)
{
	if (this != &other) {
		memcpy(exportedPins, other.exportedPins, PIN_COUNT);
	}
	return *this;
}

void GPIOClass::pinMode(uint8_t pin, uint8_t mode)
{
	pinModes[pin] = mode;
}

void GPIOClass::digitalWrite(uint8_t pin, uint8_t value)
{
	exportedPins[pin] = value != LOW ? HIGH : LOW;
	// Flushed at once: the test reads the lines while the program runs.
	printf("pin %u %u\n", pin, exportedPins[pin]);
	fflush(stdout);
}

uint8_t GPIOClass::digitalRead(uint8_t pin)
{
	switch (pinModes[pin]) {
	case OUTPUT:
		return exportedPins[pin];
	case INPUT_PULLUP:
		return HIGH;
	default:
		return LOW;
	}
}

uint8_t GPIOClass::digitalPinToInterrupt(uint8_t pin)
{
	return pin;
}
