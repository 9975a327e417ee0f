/*
 * MySeal: the numbers of sealed frames v1 (docs/protocol.md). Every value here is normative and
 * shared with the TypeScript controller (src/protocol/constants.ts, body.ts, derive.ts); the
 * golden vectors (test/vectors/seal-v1.json) hold both sides to them.
 */
#ifndef MYSEAL_PROTOCOL_H
#define MYSEAL_PROTOCOL_H

/* Carriage: the binary payload of a C_STREAM message of this type ('S'). */
#define MYSEAL_STREAM_TYPE 83

/* Frame layout: header (1) | counter (4, big-endian) | ciphertext (1-12) | tag (8). */
#define MYSEAL_COUNTER_AT 1
#define MYSEAL_BODY_AT 5
#define MYSEAL_TAG_BYTES 8
#define MYSEAL_OVERHEAD 13
#define MYSEAL_BODY_MAX 12
#define MYSEAL_FRAME_MIN 14
#define MYSEAL_FRAME_MAX 25

/* Header bytes: direction (bit 7), version 1 (bits 6-4), kind (bits 3-0). */
#define MYSEAL_HEADER_COMMAND 0x10
#define MYSEAL_HEADER_CRITICAL 0x11
#define MYSEAL_HEADER_RESULT 0x92
#define MYSEAL_HEADER_REPORT 0x93
#define MYSEAL_KIND_CRITICAL 0x01

/* Nonce: header | sender | destination | child | counter (BE32) | challenge or zeros. */
#define MYSEAL_NONCE_COUNTER_AT 4
#define MYSEAL_NONCE_CHALLENGE_AT 8
#define MYSEAL_CHALLENGE_BYTES 5

/* First bytes of the blocks a node derives with AES (bit 7 set: never a CCM block). */
#define MYSEAL_DOMAIN_CHALLENGE 0xC3
#define MYSEAL_DOMAIN_ROTATION 0xCB
/* Node-local, not on the wire: fingerprint of the key a sketch was flashed with. */
#define MYSEAL_DOMAIN_FINGERPRINT 0xCF

/* Commands (controller to node): opcode, then arguments. */
#define MYSEAL_OP_GET_CHALLENGE 0x01
#define MYSEAL_OP_STATUS 0x02
#define MYSEAL_OP_LOCK 0x03
#define MYSEAL_OP_UNLOCK 0x04
#define MYSEAL_OP_SET_PIN 0x05
#define MYSEAL_OP_ROTATE_KEY 0x06
#define MYSEAL_OP_SET 0x07

#define MYSEAL_PIN_BYTES 4
#define MYSEAL_SEED_BYTES 11

/* Results (node to controller): status, the command's counter (4), then data. */
#define MYSEAL_DONE 0x00
#define MYSEAL_CHALLENGE 0x01
#define MYSEAL_LOCKED 0x02
#define MYSEAL_UNLOCKED 0x03
#define MYSEAL_WRONG_PIN 0x04
#define MYSEAL_LOCKED_OUT 0x05
#define MYSEAL_STALE_COUNTER 0x06
#define MYSEAL_BAD_REQUEST 0x07
#define MYSEAL_LOCK_STATUS 0x08
#define MYSEAL_CHALLENGE_EXPIRED_RESULT 0x09

/* BAD_REQUEST reasons. */
#define MYSEAL_UNKNOWN_OP 1
#define MYSEAL_BAD_LENGTH 2
#define MYSEAL_CHALLENGE_REQUIRED 3
#define MYSEAL_BAD_PIN 4
#define MYSEAL_NOT_SUPPORTED 5
#define MYSEAL_BAD_VALUE 6

/* MySensors values carried by sets and reports. */
#define MYSEAL_P_STRING 0
#define MYSEAL_P_BYTE 1
#define MYSEAL_P_CUSTOM 6
#define MYSEAL_P_FLOAT32 7
#define MYSEAL_V_LOCK_STATUS 36
#define MYSEAL_REPORT_VALUE_MAX 10

/* Defaults of the lock policy (section 8.5) and of the challenge window (section 7). */
#define MYSEAL_DEFAULT_MAX_ATTEMPTS 5
#define MYSEAL_DEFAULT_LOCKOUT_BASE_S 60
#define MYSEAL_DEFAULT_LOCKOUT_CAP_S 86400UL
#define MYSEAL_DEFAULT_CHALLENGE_WINDOW_MS 10000

/* Node counters are reserved this many at a time (one EEPROM record per 16 frames at most). */
#define MYSEAL_SEND_RESERVE 16

#endif /* MYSEAL_PROTOCOL_H */
