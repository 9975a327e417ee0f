/* Stand-in for the SAMD core's avr/dtostrf.h (see README.md). */
#ifndef MYSEAL_CORTEX_M_SHIM_DTOSTRF_H
#define MYSEAL_CORTEX_M_SHIM_DTOSTRF_H
#ifdef __cplusplus
extern "C" {
#endif
char *dtostrf(double val, signed char width, unsigned char prec, char *sout);
#ifdef __cplusplus
}
#endif
#endif
