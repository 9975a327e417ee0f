/*
 * MySeal for Arduino / MySensors nodes: one include for the whole library.
 *
 * Phase 1 provides the primitives only:
 *   myseal_aes128.h  AES-128 encryption (key expanded on the fly, S-box in flash)
 *   myseal_ccm.h     AES-128-CCM, RFC 3610, 8-byte tag, 13-byte nonce
 *   myseal_ct.h      constant-time comparison and wiping
 */
#ifndef MYSEAL_H
#define MYSEAL_H

#include "myseal_aes128.h"
#include "myseal_ccm.h"
#include "myseal_ct.h"

#endif /* MYSEAL_H */
