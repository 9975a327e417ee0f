/**
 * Every enum of the MySensors 2.3 serial protocol (core/MyMessage.h), as TypeScript numeric enums so
 * that names work both ways (`SetReq.V_LOCK_STATUS === 36`, `SetReq[36] === 'V_LOCK_STATUS'`).
 *
 * The deprecated aliases (S_LIGHT, V_LIGHT, V_DIMMER, V_HEATER) are deliberately NOT enum members:
 * a second member with the same number would overwrite the reverse mapping, and `SetReq[2]` would
 * print the old name. They live in ALIASES instead and are accepted only by the parse functions.
 */
import { ErrorCode, MySealError } from '../errors.ts';
import { describeValue, parseDecimal } from './text.ts';

/** The command field: how the type field is to be read. 5-7 fit the 3-bit field but are invalid. */
export enum Command {
  C_PRESENTATION = 0,
  C_SET = 1,
  C_REQ = 2,
  C_INTERNAL = 3,
  C_STREAM = 4,
}

/** How a node stores a payload in the radio frame; never on the controller wire, kept for completeness. */
export enum PayloadType {
  P_STRING = 0,
  P_BYTE = 1,
  P_INT16 = 2,
  P_UINT16 = 3,
  P_LONG32 = 4,
  P_ULONG32 = 5,
  P_CUSTOM = 6,
  P_FLOAT32 = 7,
}

/** Sensor types, the type field of C_PRESENTATION messages. */
export enum Sensor {
  S_DOOR = 0,
  S_MOTION = 1,
  S_SMOKE = 2,
  S_BINARY = 3,
  S_DIMMER = 4,
  S_COVER = 5,
  S_TEMP = 6,
  S_HUM = 7,
  S_BARO = 8,
  S_WIND = 9,
  S_RAIN = 10,
  S_UV = 11,
  S_WEIGHT = 12,
  S_POWER = 13,
  S_HEATER = 14,
  S_DISTANCE = 15,
  S_LIGHT_LEVEL = 16,
  S_ARDUINO_NODE = 17,
  S_ARDUINO_REPEATER_NODE = 18,
  S_LOCK = 19,
  S_IR = 20,
  S_WATER = 21,
  S_AIR_QUALITY = 22,
  S_CUSTOM = 23,
  S_DUST = 24,
  S_SCENE_CONTROLLER = 25,
  S_RGB_LIGHT = 26,
  S_RGBW_LIGHT = 27,
  S_COLOR_SENSOR = 28,
  S_HVAC = 29,
  S_MULTIMETER = 30,
  S_SPRINKLER = 31,
  S_WATER_LEAK = 32,
  S_SOUND = 33,
  S_VIBRATION = 34,
  S_MOISTURE = 35,
  S_INFO = 36,
  S_GAS = 37,
  S_GPS = 38,
  S_WATER_QUALITY = 39,
}

/** Value types, the type field of C_SET and C_REQ messages. */
export enum SetReq {
  V_TEMP = 0,
  V_HUM = 1,
  V_STATUS = 2,
  V_PERCENTAGE = 3,
  V_PRESSURE = 4,
  V_FORECAST = 5,
  V_RAIN = 6,
  V_RAINRATE = 7,
  V_WIND = 8,
  V_GUST = 9,
  V_DIRECTION = 10,
  V_UV = 11,
  V_WEIGHT = 12,
  V_DISTANCE = 13,
  V_IMPEDANCE = 14,
  V_ARMED = 15,
  V_TRIPPED = 16,
  V_WATT = 17,
  V_KWH = 18,
  V_SCENE_ON = 19,
  V_SCENE_OFF = 20,
  V_HVAC_FLOW_STATE = 21,
  V_HVAC_SPEED = 22,
  V_LIGHT_LEVEL = 23,
  V_VAR1 = 24,
  V_VAR2 = 25,
  V_VAR3 = 26,
  V_VAR4 = 27,
  V_VAR5 = 28,
  V_UP = 29,
  V_DOWN = 30,
  V_STOP = 31,
  V_IR_SEND = 32,
  V_IR_RECEIVE = 33,
  V_FLOW = 34,
  V_VOLUME = 35,
  /** 1 locked, 0 unlocked. */
  V_LOCK_STATUS = 36,
  V_LEVEL = 37,
  V_VOLTAGE = 38,
  V_CURRENT = 39,
  V_RGB = 40,
  V_RGBW = 41,
  V_ID = 42,
  V_UNIT_PREFIX = 43,
  V_HVAC_SETPOINT_COOL = 44,
  V_HVAC_SETPOINT_HEAT = 45,
  V_HVAC_FLOW_MODE = 46,
  V_TEXT = 47,
  V_CUSTOM = 48,
  V_POSITION = 49,
  V_IR_RECORD = 50,
  V_PH = 51,
  V_ORP = 52,
  V_EC = 53,
  V_VAR = 54,
  V_VA = 55,
  V_POWER_FACTOR = 56,
  /** Only in MySensors 2.4 (development branch); a 2.3 gateway passes it on as an unknown type. */
  V_MULTI_MESSAGE = 57,
}

/** Internal message types, the type field of C_INTERNAL messages. */
export enum Internal {
  I_BATTERY_LEVEL = 0,
  I_TIME = 1,
  I_VERSION = 2,
  I_ID_REQUEST = 3,
  I_ID_RESPONSE = 4,
  I_INCLUSION_MODE = 5,
  I_CONFIG = 6,
  I_FIND_PARENT_REQUEST = 7,
  I_FIND_PARENT_RESPONSE = 8,
  I_LOG_MESSAGE = 9,
  I_CHILDREN = 10,
  I_SKETCH_NAME = 11,
  I_SKETCH_VERSION = 12,
  I_REBOOT = 13,
  I_GATEWAY_READY = 14,
  I_SIGNING_PRESENTATION = 15,
  I_NONCE_REQUEST = 16,
  I_NONCE_RESPONSE = 17,
  I_HEARTBEAT_REQUEST = 18,
  I_PRESENTATION = 19,
  I_DISCOVER_REQUEST = 20,
  I_DISCOVER_RESPONSE = 21,
  I_HEARTBEAT_RESPONSE = 22,
  I_LOCKED = 23,
  I_PING = 24,
  I_PONG = 25,
  I_REGISTRATION_REQUEST = 26,
  I_REGISTRATION_RESPONSE = 27,
  I_DEBUG = 28,
  I_SIGNAL_REPORT_REQUEST = 29,
  I_SIGNAL_REPORT_REVERSE = 30,
  I_SIGNAL_REPORT_RESPONSE = 31,
  I_PRE_SLEEP_NOTIFICATION = 32,
  I_POST_SLEEP_NOTIFICATION = 33,
}

/** Stream types, the type field of C_STREAM messages (firmware updates and other binary data). */
export enum Stream {
  ST_FIRMWARE_CONFIG_REQUEST = 0,
  ST_FIRMWARE_CONFIG_RESPONSE = 1,
  ST_FIRMWARE_REQUEST = 2,
  ST_FIRMWARE_RESPONSE = 3,
  ST_SOUND = 4,
  ST_IMAGE = 5,
  ST_FIRMWARE_CONFIRM = 6,
  ST_FIRMWARE_RESPONSE_RLE = 7,
}

/** A TypeScript numeric enum object: name -> number and number -> name in one record. */
type NumericEnum = Readonly<Record<string, string | number>>;

/**
 * Deprecated names that MySensors still compiles and old sketches and controllers still print.
 * Accepted on input only; typeName always answers with the current name.
 */
export const ALIASES: Readonly<Record<'S_' | 'V_', Readonly<Record<string, number>>>> = {
  S_: { S_LIGHT: Sensor.S_BINARY },
  V_: { V_LIGHT: SetReq.V_STATUS, V_DIMMER: SetReq.V_PERCENTAGE, V_HEATER: SetReq.V_HVAC_FLOW_STATE },
};

interface TypeTable {
  readonly values: NumericEnum;
  readonly aliases: Readonly<Record<string, number>>;
}

const NO_ALIASES: Readonly<Record<string, number>> = {};

/** Which enum the type field belongs to depends on the command; undefined for commands 5 and up. */
function typeTable(command: number): TypeTable | undefined {
  switch (command) {
    case Command.C_PRESENTATION:
      return { values: Sensor, aliases: ALIASES.S_ };
    case Command.C_SET:
    case Command.C_REQ:
      return { values: SetReq, aliases: ALIASES.V_ };
    case Command.C_INTERNAL:
      return { values: Internal, aliases: NO_ALIASES };
    case Command.C_STREAM:
      return { values: Stream, aliases: NO_ALIASES };
    default:
      return undefined;
  }
}

/** The enum's name for a number, or undefined. Guards against inherited keys and name-to-number entries. */
function nameOf(values: NumericEnum, value: number): string | undefined {
  if (!Number.isInteger(value) || value < 0) return undefined;
  const key = String(value);
  if (!Object.hasOwn(values, key)) return undefined;
  const name = values[key];
  return typeof name === 'string' ? name : undefined;
}

/** The enum's number for a name, or undefined ('toString', '3' and the like are not names). */
function valueOf(values: NumericEnum, name: string): number | undefined {
  if (!Object.hasOwn(values, name)) return undefined;
  const value = values[name];
  return typeof value === 'number' ? value : undefined;
}

/** 'C_SET' for 1; an unknown command comes back as its number ('7'), so logs never lose a value. */
export function commandName(command: number): string {
  return nameOf(Command, command) ?? String(command);
}

/** Accepts 'C_SET' or a decimal '1'. Throws MySealError UNKNOWN_NAME, or BAD_COMMAND for a number above 4. */
export function parseCommandName(name: string): Command {
  const byName = valueOf(Command, name);
  if (byName !== undefined) return byName;
  const n = parseDecimal(name);
  if (n !== undefined) {
    if (nameOf(Command, n) !== undefined) return n;
    throw new MySealError(ErrorCode.BAD_COMMAND, `command ${n} is not 0-4`, { field: 'command' });
  }
  throw new MySealError(ErrorCode.UNKNOWN_NAME, `command name ${describeValue(name, 40)} is not known`, {
    field: 'command',
    length: name.length,
  });
}

/**
 * The name of a type for a command: typeName(1, 36) === 'V_LOCK_STATUS', typeName(0, 19) === 'S_LOCK'.
 * Unknown types (and any type under an unknown command) come back as the number, e.g. '200'.
 */
export function typeName(command: number, type: number): string {
  const table = typeTable(command);
  return (table && nameOf(table.values, type)) ?? String(type);
}

/**
 * The number of a type name for a command. Accepts the current name ('V_LOCK_STATUS'), a deprecated
 * alias ('V_LIGHT') and a decimal number 0-255 ('36'). A name from another command's enum ('S_LOCK'
 * for C_SET) is refused: mixing them up is the classic MySensors mistake.
 * Throws MySealError: UNKNOWN_NAME for any other name, BAD_TYPE for a number above 255, BAD_COMMAND
 * for a command outside 0-4 (names mean nothing there).
 */
export function parseTypeName(command: number, name: string): number {
  const n = parseDecimal(name);
  if (n !== undefined) {
    if (n <= 255) return n;
    throw new MySealError(ErrorCode.BAD_TYPE, `type ${n} is not 0-255`, { field: 'type' });
  }
  const table = typeTable(command);
  if (!table) {
    throw new MySealError(ErrorCode.BAD_COMMAND, `command ${commandName(command)} is not 0-4`, {
      field: 'command',
    });
  }
  const value = valueOf(table.values, name) ?? (Object.hasOwn(table.aliases, name) ? table.aliases[name] : undefined);
  if (value !== undefined) return value;
  throw new MySealError(
    ErrorCode.UNKNOWN_NAME,
    `type name ${describeValue(name, 40)} is not known for ${commandName(command)}`,
    { field: 'type', command, length: name.length },
  );
}
