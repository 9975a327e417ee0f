/*
 * MySeal's WebAssembly node is freestanding (no C library): the library core needs these four,
 * which myseal_wasm.cpp defines.
 */
#ifndef MYSEAL_WASM_STRING_H
#define MYSEAL_WASM_STRING_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

void *memcpy(void *to, const void *from, size_t n);
void *memmove(void *to, const void *from, size_t n);
void *memset(void *to, int value, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* MYSEAL_WASM_STRING_H */
