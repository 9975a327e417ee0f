/* Stand-in for the SPI library's header (see README.md): the type of the SPI object. */
#ifndef MYSEAL_CORTEX_M_SHIM_SPI_H
#define MYSEAL_CORTEX_M_SHIM_SPI_H
#include <Arduino.h>
class SPIClass
{
public:
	void begin(void);
	uint8_t transfer(uint8_t data);
};
extern SPIClass SPI;
#endif
