/* Stand-in for libmaple's iwdg.h (the STM32F1 core; see README.md). */
#ifndef MYSEAL_CORTEX_M_SHIM_IWDG_H
#define MYSEAL_CORTEX_M_SHIM_IWDG_H
#ifdef __cplusplus
extern "C" {
#endif
void iwdg_feed(void);
void nvic_sys_reset(void);
#ifdef __cplusplus
}
#endif
#endif
