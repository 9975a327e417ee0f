/* Stand-in for the Wire library's header (see README.md): the type of the Wire object. */
#ifndef MYSEAL_CORTEX_M_SHIM_WIRE_H
#define MYSEAL_CORTEX_M_SHIM_WIRE_H
#include <Arduino.h>
class TwoWire
{
public:
	void begin(void);
	void setClock(uint32_t frequency);
	void beginTransmission(uint8_t address);
	uint8_t endTransmission(bool stop = true);
	uint8_t requestFrom(uint8_t address, size_t quantity, bool stop = true);
	size_t write(uint8_t data);
	int available(void);
	int read(void);
};
extern TwoWire Wire;
#endif
