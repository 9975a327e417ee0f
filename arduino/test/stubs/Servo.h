/*
 * Servo stand-in for building MySeal's examples in tests: the Arduino Servo library's API
 * (attach, write, read, attached, detach), keeping the angle instead of driving a pin.
 */
#ifndef MYSEAL_STUB_SERVO_H
#define MYSEAL_STUB_SERVO_H

#include <Arduino.h>

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
	void write(int angle) { angle_ = angle < 0 ? 0 : (angle > 180 ? 180 : angle); }
	int read(void) { return angle_; }
	bool attached(void) { return pin_ >= 0; }

private:
	int pin_;
	int angle_;
};

#endif /* MYSEAL_STUB_SERVO_H */
