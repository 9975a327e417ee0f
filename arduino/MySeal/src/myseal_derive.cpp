/*
 * MySeal: the values a node derives with AES from its key, so it needs no random number
 * generator (docs/protocol.md sections 7 and 8.6):
 *
 *   challenge    AES_K( C3 | node | child | 00 | result counter (BE32) | 00 * 8 )[0..4]
 *   rotated key  AES_K( CB | node | seed (11) | 00 00 00 )
 *   fingerprint  AES_K( CF | node | 00 * 14 )[0..3]   (node-local: which key the sketch carries)
 *
 * Each input starts with a byte whose bit 7 is set, where every block CCM enciphers (B0, A_i)
 * starts with a flags byte whose bit 7 is zero: no derivation computes a block CCM also computes.
 */
#include <string.h>

#include "myseal_aes128.h"
#include "myseal_ct.h"
#include "myseal_state.h"

void myseal_derive(uint8_t *out, uint8_t out_length, uint8_t domain, uint8_t third,
                   const uint8_t *input, uint8_t input_length)
{
	uint8_t block[16];
	memset(block, 0, sizeof block);
	block[0] = domain;
	block[1] = myseal_settings.node_id;
	block[2] = third;
	memcpy(block + 3, input, input_length);
	myseal_aes128_encrypt(myseal.key, block);
	memcpy(out, block, out_length);  // out may be the key itself (a rotation): written only now
	myseal_wipe(block, sizeof block);
}
