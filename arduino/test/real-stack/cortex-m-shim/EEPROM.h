/* Stand-in for the STM32F1 core's EEPROM.h (see README.md): the flash-backed EEPROM's class. */
#ifndef MYSEAL_CORTEX_M_SHIM_EEPROM_H
#define MYSEAL_CORTEX_M_SHIM_EEPROM_H
#include <Arduino.h>
class EEPROMClass
{
public:
	uint16_t read(uint16_t address);
	uint16_t write(uint16_t address, uint16_t data);
};
extern EEPROMClass EEPROM;
#endif
