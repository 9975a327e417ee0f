/**
 * Builds MySensors' Linux programs as MySensors' own Linux build makes them (`./configure`, then
 * `make`, on a copy of the read-only tree): the Ethernet gateway `mysgw` of examples_linux/mysgw.cpp,
 * or a program whose sketch is MySeal's SecureLock example, as a node (`--my-gateway=none`) or as the
 * Ethernet gateway itself (the lock on node 0). The MySeal library is an Arduino library of the build
 * (`--arduino-lib-dir`), compiled from arduino/MySeal as it is in the tree; the node's key header
 * comes from `myseal keygen`. Every program talks RS485 on a pty end (socat) and nothing else.
 *
 * What differs from a plain MySensors Linux build, and why (see arduino/test/linux/README.md):
 * - the pin shim (shim/myseal_linux_pins.cpp) replaces MySensors' GPIO.cpp, which exits at start-up
 *   without /sys/class/gpio; shim/Servo.h stands in for the Servo library. Nothing else.
 * - known quirks of 2.3.2's Linux build on a current Debian: an empty <stropts.h> (glibc 2.30
 *   dropped it; drivers/core/interrupt.cpp includes it), -fcommon for the C files (gcc 10+; config.h
 *   defines `conf` in a header), and `rwildcard`, which the Makefile calls but never defines (so
 *   `--arduino-lib-dir` compiled nothing), given on make's command line.
 * - the gateway listens on 127.0.0.1 only (MY_IP_ADDRESS): by default it listens on every address.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

import { ARDUINO_DIR, run, scratchDir } from '../../../bench/avr-toolchain.ts';
import { copyThirdPartyTree } from '../third-party.ts';

const SHIM_DIR = join(ARDUINO_DIR, 'test', 'linux', 'shim');
const MYSEAL_DIR = join(ARDUINO_DIR, 'MySeal');
const SECURE_LOCK_INO = join(MYSEAL_DIR, 'examples', 'SecureLock', 'SecureLock.ino');

export type LinuxSketch =
  /** MySensors' own Linux gateway sketch, examples_linux/mysgw.cpp. */
  | { kind: 'mysgw' }
  /** MySeal's SecureLock example, for the node whose `myseal keygen` header is in keyDir. */
  | { kind: 'SecureLock'; nodeId: number; keyDir: string };

export interface LinuxBuildOptions {
  /** The MySensors tree (read-only: the build works on a copy). */
  mysensorsDir: string;
  /** A gateway listening on 127.0.0.1:port for its controller, or null for a node. */
  gatewayPort: number | null;
  /** The pty end the RS485 transport opens (MySensors takes it while compiling). */
  rs485Port: string;
  /** The configuration file the program reads when not given --config-file (never /etc's). */
  configFile: string;
  sketch: LinuxSketch;
}

export interface LinuxProgram {
  binary: string;
  /** Compiler and linker warnings about MySeal's own files (the library, the sketch). */
  mysealWarnings: string[];
}

export function buildLinuxProgram(options: LinuxBuildOptions): LinuxProgram {
  const work = scratchDir('mysensors-linux');
  const tree = copyThirdPartyTree(options.mysensorsDir, work);
  const compat = join(work, 'compat');
  mkdirSync(compat);
  writeFileSync(join(compat, 'stropts.h'), '/* glibc 2.30 removed <stropts.h>; MySensors 2.3.2 includes it and uses nothing of it. */\n');

  const sketch = writeSketchUnit(tree, options.sketch);
  const withMySeal = options.sketch.kind === 'SecureLock';
  const cxxFlags = [
    `-I${compat}`,
    `-I${SHIM_DIR}`,
    '-include',
    join(SHIM_DIR, 'myseal_linux_pins.h'),
    ...(options.gatewayPort !== null ? ['-DMY_IP_ADDRESS=127,0,0,1'] : []),
    ...(options.sketch.kind === 'SecureLock' ? [`-I${options.sketch.keyDir}`] : []),
  ];
  run(
    './configure',
    [
      // The generic Linux build (pins through the pin shim, SPIDEV), whatever machine this is.
      '--soc=unknown',
      '--spi-driver=SPIDEV',
      '--no_init_system',
      `--my-gateway=${options.gatewayPort !== null ? 'ethernet' : 'none'}`,
      ...(options.gatewayPort !== null ? [`--my-port=${options.gatewayPort}`] : []),
      '--my-transport=rs485',
      `--my-rs485-serial-port=${options.rs485Port}`,
      `--my-config-file=${options.configFile}`,
      `--extra-cflags=-I${compat} -fcommon`,
      `--extra-cxxflags=${cxxFlags.join(' ')}`,
      ...(withMySeal ? [`--arduino-lib-dir=${ARDUINO_DIR}`] : []),
      `--build-dir=${join(work, 'build')}`,
      `--bin-dir=${join(work, 'bin')}`,
    ],
    { cwd: tree, timeoutMs: 120_000 },
  );
  const drivers = 'hal/architecture/Linux/drivers/core';
  const sources = [
    ...readdirSync(join(tree, drivers))
      .filter((f) => f.endsWith('.cpp') && f !== 'GPIO.cpp')
      .sort()
      .map((f) => `${drivers}/${f}`),
    sketch,
    join(SHIM_DIR, 'myseal_linux_pins.cpp'),
  ];
  const made = run(
    'make',
    [
      '-j2',
      `GATEWAY_CPP_SOURCES=${sources.join(' ')}`,
      // The one library of the build (the Makefile would take every folder of arduino/).
      ...(withMySeal ? [`ARDUINO_LIBS=${MYSEAL_DIR}`] : []),
      'rwildcard=$(wildcard $1$2) $(foreach d,$(wildcard $1*),$(call rwildcard,$d/,$2))',
    ],
    { cwd: tree, timeoutMs: 300_000 },
  );
  const ours = [MYSEAL_DIR, join(tree, 'examples_linux', 'SecureLock.ino'), '/arduinolibs/MySeal/'];
  const mysealWarnings = `${made.stderr}\n${made.stdout}`
    .split('\n')
    .filter((line) => /warning/i.test(line) && ours.some((path) => line.includes(path)));
  return { binary: join(work, 'bin', 'mysgw'), mysealWarnings };
}

/**
 * The sketch's translation unit, as a path relative to the tree (the Makefile's object rule wants
 * one). SecureLock is the library's file as it is; for a node other than the one its #include
 * names, a copy with that one name changed, which is step 1 of the sketch's own instructions.
 */
function writeSketchUnit(tree: string, sketch: LinuxSketch): string {
  if (sketch.kind === 'mysgw') return 'examples_linux/mysgw.cpp';
  const text = readFileSync(SECURE_LOCK_INO, 'utf8');
  const named = /^#include "(myseal_node_\d+\.h)"$/m.exec(text)?.[1];
  if (named === undefined) throw new Error(`${SECURE_LOCK_INO} includes no myseal_node_N.h`);
  // #include "..." looks beside the sketch first: a header left there would win over the test's.
  const stray = join(dirname(SECURE_LOCK_INO), named);
  if (existsSync(stray)) throw new Error(`${stray} would be built instead of the test's key header: move it away`);
  const header = `myseal_node_${sketch.nodeId}.h`;
  let ino = SECURE_LOCK_INO;
  if (header !== named) {
    ino = join(tree, 'examples_linux', 'SecureLock.ino');
    writeFileSync(ino, text.split(named).join(header));
  }
  const unit = join(tree, 'examples_linux', 'SecureLock.cpp');
  writeFileSync(unit, `#include "${ino}"\n`);
  return relative(tree, unit);
}
