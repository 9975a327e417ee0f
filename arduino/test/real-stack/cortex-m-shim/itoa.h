/* Stand-in for the STM32F1 core's itoa.h (see README.md): newlib's stdlib.h declares itoa(), utoa(). */
#ifndef MYSEAL_CORTEX_M_SHIM_ITOA_H
#define MYSEAL_CORTEX_M_SHIM_ITOA_H
#include <stdlib.h>
#endif
