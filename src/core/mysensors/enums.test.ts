import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCode } from '../errors.ts';
import {
  ALIASES,
  Command,
  commandName,
  Internal,
  parseCommandName,
  parseTypeName,
  PayloadType,
  Sensor,
  SetReq,
  Stream,
  typeName,
} from './enums.ts';
import { assertThrowsCode } from '../../../test/support/mysensors-arbitraries.ts';

/** Names of a numeric enum, in value order. */
function names(e: Record<string, string | number>): string[] {
  return Object.keys(e).filter((k) => typeof e[k] === 'number');
}

test('every enum runs 0..n-1 without gaps, with the sizes of MySensors 2.3 (2.4 for V_MULTI_MESSAGE)', () => {
  const sizes: [Record<string, string | number>, number, string, string][] = [
    [Command, 5, 'C_PRESENTATION', 'C_STREAM'],
    [PayloadType, 8, 'P_STRING', 'P_FLOAT32'],
    [Sensor, 40, 'S_DOOR', 'S_WATER_QUALITY'],
    [SetReq, 58, 'V_TEMP', 'V_MULTI_MESSAGE'],
    [Internal, 34, 'I_BATTERY_LEVEL', 'I_POST_SLEEP_NOTIFICATION'],
    [Stream, 8, 'ST_FIRMWARE_CONFIG_REQUEST', 'ST_FIRMWARE_RESPONSE_RLE'],
  ];
  for (const [e, size, first, last] of sizes) {
    const n = names(e);
    assert.equal(n.length, size, `${first}..${last}`);
    assert.deepEqual(
      n.map((k) => e[k]),
      [...Array(size).keys()],
    );
    assert.equal(n[0], first);
    assert.equal(n[size - 1], last);
  }
});

test('spot values from the reference', () => {
  assert.equal(SetReq.V_LOCK_STATUS, 36);
  assert.equal(SetReq.V_TEXT, 47);
  assert.equal(SetReq.V_CUSTOM, 48);
  assert.equal(SetReq.V_HVAC_FLOW_STATE, 21);
  assert.equal(Sensor.S_LOCK, 19);
  assert.equal(Sensor.S_BINARY, 3);
  assert.equal(Sensor.S_ARDUINO_REPEATER_NODE, 18);
  assert.equal(Internal.I_GATEWAY_READY, 14);
  assert.equal(Internal.I_NONCE_REQUEST, 16);
  assert.equal(Internal.I_NONCE_RESPONSE, 17);
  assert.equal(Internal.I_VERSION, 2);
  assert.equal(Stream.ST_FIRMWARE_CONFIRM, 6);
  assert.equal(PayloadType.P_CUSTOM, 6);
  // Reverse mapping keeps the current names: the aliases are not enum members.
  assert.equal(Sensor[3], 'S_BINARY');
  assert.equal(SetReq[2], 'V_STATUS');
  assert.equal(SetReq[3], 'V_PERCENTAGE');
  assert.equal(SetReq[21], 'V_HVAC_FLOW_STATE');
  assert.deepEqual(ALIASES, {
    S_: { S_LIGHT: 3 },
    V_: { V_LIGHT: 2, V_DIMMER: 3, V_HEATER: 21 },
  });
});

test('typeName reads the type with the enum the command selects', () => {
  assert.equal(typeName(Command.C_SET, 36), 'V_LOCK_STATUS');
  assert.equal(typeName(Command.C_REQ, 36), 'V_LOCK_STATUS');
  assert.equal(typeName(Command.C_PRESENTATION, 36), 'S_INFO');
  assert.equal(typeName(Command.C_PRESENTATION, 19), 'S_LOCK');
  assert.equal(typeName(Command.C_PRESENTATION, 3), 'S_BINARY');
  assert.equal(typeName(Command.C_SET, 2), 'V_STATUS');
  assert.equal(typeName(Command.C_SET, 57), 'V_MULTI_MESSAGE');
  assert.equal(typeName(Command.C_INTERNAL, 14), 'I_GATEWAY_READY');
  assert.equal(typeName(Command.C_STREAM, 7), 'ST_FIRMWARE_RESPONSE_RLE');
  // Unknown: the number as a string, never undefined or a throw.
  assert.equal(typeName(Command.C_SET, 58), '58');
  assert.equal(typeName(Command.C_INTERNAL, 34), '34');
  assert.equal(typeName(Command.C_STREAM, 8), '8');
  assert.equal(typeName(Command.C_PRESENTATION, 255), '255');
  assert.equal(typeName(5, 1), '1');
  assert.equal(typeName(-1, 1), '1');
  assert.equal(typeName(1, -1), '-1');
  assert.equal(typeName(1, 1.5), '1.5');
  assert.equal(typeName(1, Number.NaN), 'NaN');
});

test('parseTypeName takes names, the old aliases and decimal numbers', () => {
  assert.equal(parseTypeName(Command.C_SET, 'V_LOCK_STATUS'), 36);
  assert.equal(parseTypeName(Command.C_REQ, 'V_LOCK_STATUS'), 36);
  assert.equal(parseTypeName(Command.C_SET, 'V_LIGHT'), 2);
  assert.equal(parseTypeName(Command.C_SET, 'V_DIMMER'), 3);
  assert.equal(parseTypeName(Command.C_REQ, 'V_HEATER'), 21);
  assert.equal(parseTypeName(Command.C_PRESENTATION, 'S_LIGHT'), 3);
  assert.equal(parseTypeName(Command.C_PRESENTATION, 'S_LOCK'), 19);
  assert.equal(parseTypeName(Command.C_INTERNAL, 'I_VERSION'), 2);
  assert.equal(parseTypeName(Command.C_STREAM, 'ST_IMAGE'), 5);
  assert.equal(parseTypeName(Command.C_SET, 'V_MULTI_MESSAGE'), 57);
  assert.equal(parseTypeName(Command.C_SET, '36'), 36);
  assert.equal(parseTypeName(Command.C_SET, '036'), 36);
  assert.equal(parseTypeName(Command.C_SET, '0'), 0);
  assert.equal(parseTypeName(Command.C_SET, '255'), 255);
  // A number needs no name, whatever the command.
  assert.equal(parseTypeName(Command.C_INTERNAL, '200'), 200);
});

test('parseTypeName refuses names of other commands, near misses and prototype keys', () => {
  const unknown: [number, string][] = [
    [Command.C_SET, 'S_LOCK'],
    [Command.C_PRESENTATION, 'V_LOCK_STATUS'],
    [Command.C_PRESENTATION, 'V_LIGHT'],
    [Command.C_SET, 'S_LIGHT'],
    [Command.C_INTERNAL, 'V_LIGHT'],
    [Command.C_STREAM, 'I_VERSION'],
    [Command.C_SET, 'v_lock_status'],
    [Command.C_SET, 'V_LOCK_STATUS '],
    [Command.C_SET, ''],
    [Command.C_SET, ' 36'],
    [Command.C_SET, '+36'],
    [Command.C_SET, '-1'],
    [Command.C_SET, '0x24'],
    [Command.C_SET, '3.0'],
    [Command.C_SET, '1e1'],
    [Command.C_SET, 'toString'],
    [Command.C_SET, '__proto__'],
    [Command.C_SET, 'constructor'],
    [Command.C_SET, 'hasOwnProperty'],
  ];
  for (const [command, name] of unknown) {
    assertThrowsCode(() => parseTypeName(command, name), ErrorCode.UNKNOWN_NAME);
  }
  assertThrowsCode(() => parseTypeName(Command.C_SET, '256'), ErrorCode.BAD_TYPE);
  assertThrowsCode(() => parseTypeName(Command.C_SET, '99999999999999999999999'), ErrorCode.BAD_TYPE);
  assertThrowsCode(() => parseTypeName(5, 'V_LOCK_STATUS'), ErrorCode.BAD_COMMAND);
  assertThrowsCode(() => parseTypeName(-1, 'V_LOCK_STATUS'), ErrorCode.BAD_COMMAND);
});

test('parseTypeName error messages do not echo long input', () => {
  const secret = 'hunter2-hunter2-hunter2-hunter2-hunter2-hunter2';
  try {
    parseTypeName(Command.C_SET, secret);
    assert.fail('should throw');
  } catch (e) {
    assert.ok(e instanceof Error);
    assert.ok(!e.message.includes('hunter2'), e.message);
    assert.match(e.message, /47 characters/);
  }
});

test('typeName and parseTypeName invert each other for every command and type', () => {
  for (let command = 0; command <= 4; command++) {
    for (let type = 0; type <= 255; type++) {
      assert.equal(parseTypeName(command, typeName(command, type)), type);
    }
  }
});

test('parseCommandName returns a command 0-4 or throws a MySealError, nothing else (property)', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 30 }), fc.integer({ min: -5, max: 300 }).map(String)), (name) => {
      try {
        const c = parseCommandName(name);
        assert.ok(Number.isInteger(c) && c >= 0 && c <= 4);
      } catch (e) {
        assert.equal((e as Error).name, 'MySealError');
      }
    }),
  );
});

test('parseTypeName never throws anything but a MySealError', () => {
  fc.assert(
    fc.property(fc.integer({ min: -2, max: 8 }), fc.string({ unit: 'grapheme', maxLength: 30 }), (command, name) => {
      try {
        const n = parseTypeName(command, name);
        assert.ok(Number.isInteger(n) && n >= 0 && n <= 255);
      } catch (e) {
        assert.equal((e as Error).name, 'MySealError');
      }
    }),
  );
});

test('commandName and parseCommandName', () => {
  assert.equal(commandName(0), 'C_PRESENTATION');
  assert.equal(commandName(Command.C_STREAM), 'C_STREAM');
  assert.equal(commandName(5), '5');
  assert.equal(commandName(-1), '-1');
  assert.equal(parseCommandName('C_SET'), Command.C_SET);
  assert.equal(parseCommandName('C_INTERNAL'), 3);
  assert.equal(parseCommandName('4'), Command.C_STREAM);
  assert.equal(parseCommandName('00'), Command.C_PRESENTATION);
  for (let c = 0; c <= 4; c++) assert.equal(parseCommandName(commandName(c)), c);
  assertThrowsCode(() => parseCommandName('5'), ErrorCode.BAD_COMMAND);
  assertThrowsCode(() => parseCommandName('256'), ErrorCode.BAD_COMMAND);
  assertThrowsCode(() => parseCommandName('c_set'), ErrorCode.UNKNOWN_NAME);
  assertThrowsCode(() => parseCommandName('C_ACK'), ErrorCode.UNKNOWN_NAME);
  assertThrowsCode(() => parseCommandName(''), ErrorCode.UNKNOWN_NAME);
  assertThrowsCode(() => parseCommandName('valueOf'), ErrorCode.UNKNOWN_NAME);
  assertThrowsCode(() => parseCommandName('-1'), ErrorCode.UNKNOWN_NAME);
});
