/*
 * Pins for MySeal's Linux test builds (arduino/test/linux), included first in every C++ unit
 * (-include). MySensors 2.3.2's Linux core (hal/architecture/Linux/drivers/core/GPIO.h) knows
 * INPUT and OUTPUT only; Arduino sketches also use INPUT_PULLUP, which myseal_linux_pins.cpp
 * reads as a released button (HIGH). Same value as the Arduino AVR core.
 */
#ifndef MYSEAL_LINUX_PINS_H
#define MYSEAL_LINUX_PINS_H

#ifndef INPUT_PULLUP
#define INPUT_PULLUP 0x2
#endif

#endif /* MYSEAL_LINUX_PINS_H */
