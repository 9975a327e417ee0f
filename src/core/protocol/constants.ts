/**
 * Sealed frames v1: the fixed numbers of the wire format and the tunables, each with its reason.
 * docs/protocol.md is the normative text; these values must match it (and the C++ library).
 */

// ---- Carriage -------------------------------------------------------------------------------

/**
 * MySensors C_STREAM type that carries sealed frames: 83 (0x53, ASCII 'S').
 * Not 0-7: those are the firmware/sound/image stream types, and a node built with
 * MY_OTA_FIRMWARE_FEATURE swallows the firmware ones before receive(). 83 is far above the range
 * MySensors allocates upward from 0, and easy to spot in a gateway trace ("4;0;83;").
 */
export const SEALED_STREAM_TYPE = 83;
/** MySensors' MAX_PAYLOAD_SIZE (32-byte radio frame minus the 7-byte header). */
export const MAX_FRAME_LENGTH = 25;
/** The node id of the gateway; the controller's frames reach nodes with this sender. */
export const GATEWAY_NODE_ID = 0;
/**
 * The lock's child when nothing names another: the C library's default, the header keygen writes
 * (MYSEAL_LOCK_CHILD), and the daemon's rule for a node without a `kind: lock` child configured.
 */
export const DEFAULT_LOCK_CHILD = 1;

// ---- Frame layout -----------------------------------------------------------------------------

export const PROTOCOL_VERSION = 1;
export const HEADER_LENGTH = 1;
export const COUNTER_LENGTH = 4;
/** CCM tag (M=8): 2^-64 forgery odds per try; 16 would leave no room for a PIN change. */
export const TAG_LENGTH = 8;
export const NONCE_LENGTH = 13;
export const KEY_LENGTH = 16;
/** Header + counter + tag: what every frame spends on sealing. */
export const FRAME_OVERHEAD = HEADER_LENGTH + COUNTER_LENGTH + TAG_LENGTH;
/** 25 - 13 = 12: so every body fits one AES block and opening a frame costs exactly 4 AES calls. */
export const MAX_BODY_LENGTH = MAX_FRAME_LENGTH - FRAME_OVERHEAD;
/** Every body has at least an opcode or status byte. */
export const MIN_FRAME_LENGTH = FRAME_OVERHEAD + 1;
/** Counters are 32-bit, start at 1 and strictly increase; 0 means "none accepted yet". */
export const MAX_COUNTER = 0xffffffff;

// ---- Challenges -------------------------------------------------------------------------------

/** Challenge bytes that fill the nonce after the counter (13 - 8). */
export const CHALLENGE_LENGTH = 5;
/**
 * How long a node-issued challenge stays valid. Long enough for a controller on a slow radio path
 * to answer (two radio hops and a retry), short enough that a frame recorded while the node was
 * jammed is useless by the time an attacker can release it. Default of the spec; nodes may lower it.
 */
export const CHALLENGE_WINDOW_MS = 10_000;
/** The controller stops using a challenge a little before the node would, so it never races it. */
export const CHALLENGE_CONTROLLER_MARGIN_MS = 1_000;

// ---- PINs and lockout -------------------------------------------------------------------------

export const PIN_MIN_DIGITS = 4;
export const PIN_MAX_DIGITS = 8;
/** Packed BCD, 2 digits a byte, 0xF padding: every PIN takes 4 bytes, so its length does not show. */
export const PIN_ENCODED_LENGTH = 4;
/** Wrong PINs allowed before a lockout. */
export const DEFAULT_MAX_ATTEMPTS = 5;
/** First lockout; each further lockout doubles it (reset by a correct PIN). */
export const DEFAULT_LOCKOUT_BASE_S = 60;
/** Cap of the doubling: 24 h, so a 4-digit PIN takes years to guess while a real user is never locked out for longer than a day. */
export const DEFAULT_LOCKOUT_CAP_S = 86_400;

// ---- Key rotation -----------------------------------------------------------------------------

/** Random bytes from the controller that, with the old key, derive the new one (12 - opcode). */
export const ROTATION_SEED_LENGTH = 11;
