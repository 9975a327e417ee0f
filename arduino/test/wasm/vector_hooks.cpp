/*
 * Test-only exports for a build of the WebAssembly node made by the vectors test
 * (arduino/test/wasm-vectors.test.ts; `node scripts/build-node-wasm.mjs --with` this file): what the
 * host harness's "vectors" mode reaches inside the node (arduino/test/host/node_vectors.cpp) to put
 * it in the state a golden vector describes. Never in the committed module.
 */
#include <stdint.h>

#include "myseal_node.h"

#define MYSEAL_TEST_EXPORT(name) extern "C" __attribute__((export_name(name)))

extern "C" uint8_t *myseal_wasm_buffer(void);

static uint8_t plaintext[16];

/* Holds the challenge in the buffer (5 bytes), issued at `issued`, fresh (1) or spent (2). */
MYSEAL_TEST_EXPORT("test_hold_challenge") void test_hold_challenge(uint32_t issued, uint32_t state)
{
	myseal_challenge_hold(myseal_wasm_buffer(), issued, static_cast<uint8_t>(state));
}

/* The hot payload as it stands (set through store_hot()) written, as if it had been stored. */
MYSEAL_TEST_EXPORT("test_store") void test_store(void)
{
	myseal_store_changed();
	myseal_store_commit();
}

/* Checks 1-6 alone on the frame in the buffer: the verdict; the plaintext at test_plaintext(). */
MYSEAL_TEST_EXPORT("test_open") uint32_t test_open(uint32_t sender, uint32_t child, uint32_t length)
{
	return myseal_open(static_cast<uint8_t>(sender), static_cast<uint8_t>(child), myseal_wasm_buffer(),
	                   static_cast<uint8_t>(length), plaintext);
}

MYSEAL_TEST_EXPORT("test_plaintext") uint8_t *test_plaintext(void)
{
	return plaintext;
}
