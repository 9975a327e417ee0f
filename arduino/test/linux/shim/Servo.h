/*
 * Servo for MySeal's Linux test node (arduino/test/linux): the Arduino Servo library's API
 * (attach, write, read, attached, detach). A Linux host has no servo, so each move is a line on
 * stdout, "servo <pin> <angle>", which the test reads to see the bolt turn (or not).
 */
#ifndef MYSEAL_LINUX_SERVO_H
#define MYSEAL_LINUX_SERVO_H

#include <stdint.h>
#include <stdio.h>

class Servo
{
public:
	Servo(void) : pin_(-1), angle_(90) {}
	uint8_t attach(int pin)
	{
		pin_ = pin;
		return 0;
	}
	void detach(void) { pin_ = -1; }
	void write(int angle)
	{
		angle_ = angle < 0 ? 0 : (angle > 180 ? 180 : angle);
		if (pin_ >= 0) {
			// Flushed at once: the test reads the lines while the node runs.
			printf("servo %d %d\n", pin_, angle_);
			fflush(stdout);
		}
	}
	int read(void) { return angle_; }
	bool attached(void) { return pin_ >= 0; }

private:
	int pin_;
	int angle_;
};

#endif /* MYSEAL_LINUX_SERVO_H */
