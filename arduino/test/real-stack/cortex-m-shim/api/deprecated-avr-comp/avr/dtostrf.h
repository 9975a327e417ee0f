/* Where newer SAMD cores (ArduinoCore-API) keep avr/dtostrf.h; MySensors' development branch includes it from here. */
#include "../../../avr/dtostrf.h"
