/*
 * MySeal: the node's id and clock, its start, and the derivations. See myseal_node.h.
 */
#include "myseal_node.h"

#include <string.h>

#include "myseal_aes128.h"
#include "myseal_ct.h"
#include "myseal_frame.h"

static uint8_t node_id;
static uint32_t clock_ms;

uint8_t myseal_node_id(void)
{
	return node_id;
}

__attribute__((noinline)) uint32_t myseal_clock(void)
{
	return clock_ms;
}

__attribute__((noinline)) void myseal_clock_set(uint32_t now)
{
	clock_ms = now;
}

__attribute__((noinline)) uint32_t myseal_elapsed(const uint32_t *since)
{
	return clock_ms - *since;
}

__attribute__((noinline)) void myseal_stamp(uint32_t *moment, uint32_t plus)
{
	*moment = clock_ms + plus;
}

void myseal_derive(const uint8_t *key, uint8_t *out, uint8_t out_length, uint8_t domain,
                   uint8_t third, const uint8_t *input, uint8_t input_length)
{
	uint8_t *block = myseal_work_block();
	memset(block, 0, MYSEAL_AES128_BLOCK_BYTES);
	block[0] = domain;
	block[1] = node_id;
	block[2] = third;
	memcpy(block + 3, input, input_length);
	myseal_aes128_encrypt(key, block);
	memcpy(out, block, out_length);  // out may be the key: written only now
	myseal_wipe(block, MYSEAL_AES128_BLOCK_BYTES);
}

void myseal_begin(uint8_t node, uint32_t now, const uint8_t key[16], uint32_t pin_bcd)
{
	uint8_t fingerprint[4];
	node_id = node;
	// Node-local: AES_flashed_key(CF | node | 0...)[0..3] tells a newly flashed key.
	myseal_derive(key, fingerprint, sizeof fingerprint, MYSEAL_DOMAIN_FINGERPRINT, 0, key, 0);
	const bool fresh = !myseal_store_load(fingerprint);
	if (fresh) {
		// First boot, or a new key flashed: that key, the first-boot PIN, counters from 0.
		myseal_store_provision(fingerprint, key, pin_bcd);
	}
	myseal_receive_boot();
	const myseal_lock_entry lock = myseal_lock_route();
	if (lock) {
		myseal_clock_set(now);
		lock(MYSEAL_LOCK_BOOT, 0, 0, fresh);  // before a new node's first record: it starts locked
	}
	if (fresh) {
		myseal_store_cold();
	}
	myseal_outgoing_boot();
}

uint8_t myseal_poll(uint32_t now, uint8_t *io)
{
	const myseal_lock_entry lock = myseal_lock_route();
	if (!lock) {
		return 0;
	}
	myseal_clock_set(now);
	return lock(MYSEAL_LOCK_POLL, 0, io, 0);
}
