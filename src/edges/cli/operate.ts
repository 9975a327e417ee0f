/**
 * `myseal unlock|lock|status|set-pin|rotate-key --node N`: one operation for scripts. Through a
 * running daemon (its HTTP API) when one answers; otherwise the same service runs in this process
 * for the one operation (app/one-shot.ts), holding the state dir's lock meanwhile.
 *
 * The PIN comes from a prompt (nothing echoed), stdin, or $MYSEAL_PIN (and $MYSEAL_NEW_PIN for
 * set-pin); `--pin` works but warns, since process lists show it. Exit codes differ per outcome
 * (exit-code.ts, which also says which ones each operation can end with). Nothing asks for a PIN
 * before something can take it: a daemon that answers, knows the node and takes the token, or, with
 * no daemon, a configured gateway.
 *
 * `unlock --legacy-ecb` takes the same way: a running daemon sends the original format for a node in
 * legacy mode (and refuses it for any other), so it works while `serve` holds the gateway.
 */
import { loadConfig } from '../../config/config.ts';
import type { Config } from '../../config/config.ts';
import { describeOutcome } from '../../service/lock/outcome.ts';
import { UNCONFIRMED } from '../../service/lock/rotate-key.ts';
import type { OutcomeReport } from '../../service/lock/outcome.ts';
import type { LockCommands } from '../../service/interfaces.ts';
import { ErrorCode, isMySealError, MySealError, errnoCode } from '../../core/errors.ts';
import { LEGACY_REPLAY_WARNING } from '../../core/legacy/replay-warning.ts';
import { callDaemon, daemonUrl, tokenRefusal } from '../http/daemon-client.ts';
import type { DaemonAnswer, DaemonCall } from '../http/daemon-client.ts';
import { NODE_ID_RANGE, parseNodeId } from '../../core/protocol/node-id.ts';
import { operationExit } from './exit-code.ts';
import type { ExitName } from './exit-code.ts';
import { NEEDS_PIN } from './help/operate.ts';
import type { OperationName } from './help/operate.ts';
import { readSecrets } from './secret-input.ts';
import { parseCommandArgs, usageLine } from './parse-args.ts';
import { showProgress } from './progress.ts';

/** The daemon answers an operation within the node's timeouts and retries; allow for all of them. */
const DAEMON_TIMEOUT_MS = 30_000;
/** Whether a daemon is there and knows the node: a local HTTP round trip, long only on a stalled daemon. */
const PROBE_TIMEOUT_MS = 5_000;

/** Where the command writes: the process's streams, or a test's. */
export interface OperationIo {
  stdout: (text: string) => void;
  stderr: { write: (text: string) => unknown; isTTY?: boolean };
}

const processIo: OperationIo = { stdout: (text) => process.stdout.write(text), stderr: process.stderr };

/** An end of the command that is not a node's outcome: said on stderr, with its exit code. */
interface Ending {
  exit: ExitName;
  message: string;
}

function isEnding(x: unknown): x is Ending {
  return typeof x === 'object' && x !== null && 'exit' in x && 'message' in x && !(x instanceof Error);
}

async function pins(name: OperationName, flagPin: string | undefined, env: NodeJS.ProcessEnv, io: OperationIo): Promise<string[]> {
  const count = NEEDS_PIN[name];
  if (count === 0) return [];
  if (flagPin !== undefined) {
    io.stderr.write('myseal: warning: a PIN on the command line is visible to other users (ps); use a prompt, stdin or $MYSEAL_PIN\n');
  }
  const fromEnv = [flagPin ?? env.MYSEAL_PIN, env.MYSEAL_NEW_PIN].slice(0, count);
  if (fromEnv.every((p) => p !== undefined)) return fromEnv as string[];
  return readSecrets(count === 1 ? ['PIN: '] : ['Current PIN: ', 'New PIN: ']);
}

/** A call to the daemon; undefined when nothing listens there. An unreachable or refusing daemon ends the command. */
async function askDaemon(config: Config, node: number, path: string, call: DaemonCall): Promise<DaemonAnswer | undefined> {
  let answer: DaemonAnswer;
  try {
    answer = await callDaemon(config, path, call);
  } catch (e) {
    if (isMySealError(e)) throw e; // the daemon's certificate: a configuration problem
    if (errnoCode(e) === 'ECONNREFUSED') return undefined;
    throw { exit: 'GATEWAY_UNREACHABLE', message: `the daemon at ${daemonUrl(config)} did not answer` } satisfies Ending;
  }
  if (answer.status === 401) throw { exit: 'TOKEN_REFUSED', message: tokenRefusal(config) } satisfies Ending;
  // An operation's NO_KEY. (The probe's 404 is not conclusive: a node in legacy mode has no sealed view, yet unlocks.)
  if (answer.body.error === 'NO_KEY') {
    throw { exit: 'BAD_CONFIG', message: `node ${node} is not a sealed lock here (the daemon has no key for it)` } satisfies Ending;
  }
  return answer;
}

/**
 * Before a PIN is asked for: is there a daemon that takes our token, or, with none, a gateway to go
 * to? True when a daemon answers; false for the in-process way.
 */
async function reachable(config: Config, node: number): Promise<boolean> {
  if ((await askDaemon(config, node, `/api/nodes/${node}`, { timeoutMs: PROBE_TIMEOUT_MS })) !== undefined) return true;
  if (config.gateway === undefined) {
    throw {
      exit: 'GATEWAY_UNREACHABLE',
      message: `no daemon answers at ${daemonUrl(config)} and no gateway is configured (--gateway, $MYSEAL_GATEWAY or gateway: in the config)`,
    } satisfies Ending;
  }
  return false;
}

/** Asks the daemon (over HTTPS when it serves it); undefined when no daemon answers on the configured address. */
async function viaDaemon(config: Config, name: OperationName, node: number, p: string[], legacy: boolean): Promise<OutcomeReport | undefined> {
  const body = name === 'unlock' ? { pin: p[0], ...(legacy ? { legacyEcb: true } : {}) } : name === 'set-pin' ? { oldPin: p[0], newPin: p[1] } : {};
  const answer = await askDaemon(config, node, `/api/nodes/${node}/${name}`, { method: 'POST', body, timeoutMs: DAEMON_TIMEOUT_MS });
  if (answer === undefined) return undefined;
  const json = answer.body as Partial<OutcomeReport> & { error?: string; message?: string };
  if (json.result !== undefined) return json as OutcomeReport;
  // The daemon's refusals carry MySeal's own error codes: map them back to the same outcomes.
  const code = ErrorCode[json.error as keyof typeof ErrorCode] as ErrorCode | undefined;
  if (code === ErrorCode.BAD_PIN || code === ErrorCode.RATE_LIMITED || code === ErrorCode.REFUSED_BY_POLICY) {
    return describeOutcome(node, new MySealError(code, json.message ?? 'refused', { node }));
  }
  throw new MySealError(ErrorCode.USAGE, `daemon: ${json.message ?? 'refused'}`, { node });
}

/** The operation on the service, when it runs in this process. */
function inProcess(service: LockCommands, name: OperationName, node: number, p: string[], legacy: boolean): Promise<OutcomeReport> {
  const source = 'cli';
  switch (name) {
    case 'unlock':
      return service.unlock(node, p[0]!, source, { legacy });
    case 'lock':
      return service.lock(node, source);
    case 'status':
      return service.status(node, source);
    case 'set-pin':
      return service.setPin(node, p[0]!, p[1]!, source);
    case 'rotate-key':
      return service.rotateKey(node, source);
  }
}

/** Every legacy send, whichever way it goes: such a line opens the door again for anyone who recorded it. */
function warnReplayable(io: OperationIo): void {
  io.stderr.write(`myseal: warning: ${LEGACY_REPLAY_WARNING}\n`);
}

/** The node's outcome, through the daemon or in this process; an Ending or a MySealError otherwise. */
async function operate(name: OperationName, node: number, values: OperationValues, env: NodeJS.ProcessEnv, io: OperationIo): Promise<OutcomeReport> {
  const config = loadConfig(values.config, env, { stateDir: values['state-dir'], gateway: values.gateway, http: values.http });
  // Asked first only when a PIN would be asked next: the other operations find out on their one call.
  if (NEEDS_PIN[name] > 0) await reachable(config, node);
  const p = await pins(name, values.pin, env, io);
  const legacy = values['legacy-ecb'] === true;
  if (legacy) warnReplayable(io);
  const done = showProgress(`waiting for node ${node}...`, io.stderr, env);
  try {
    // Through a running daemon, which holds the gateway and the state lock; the service in this
    // process only when none answers (and only then is what that needs loaded).
    let report = await viaDaemon(config, name, node, p, legacy);
    if (report === undefined) {
      const { runInProcess } = await import('../../app/one-shot.ts');
      report = await runInProcess(config, `myseal ${name}`, node, (service) => inProcess(service, name, node, p, legacy), { legacy });
    }
    // A node the daemon keeps in legacy mode got the original format without being asked by flag.
    if (!legacy && report.result === 'sent_legacy') warnReplayable(io);
    return report;
  } finally {
    done();
  }
}

const OPTIONS = {
  node: { type: 'string' },
  json: { type: 'boolean', default: false },
  config: { type: 'string' },
  'state-dir': { type: 'string' },
  gateway: { type: 'string' },
  http: { type: 'string' },
  pin: { type: 'string' },
  'legacy-ecb': { type: 'boolean', default: false },
} as const;

/** Each operation takes the options its help lists: --pin only where a PIN is asked, --legacy-ecb for unlock. */
function optionsOf(name: OperationName): Partial<typeof OPTIONS> {
  const { pin, 'legacy-ecb': legacyEcb, ...common } = OPTIONS;
  return { ...common, ...(NEEDS_PIN[name] > 0 ? { pin } : {}), ...(name === 'unlock' ? { 'legacy-ecb': legacyEcb } : {}) };
}

interface OperationValues {
  node?: string | undefined;
  json?: boolean | undefined;
  config?: string | undefined;
  'state-dir'?: string | undefined;
  gateway?: string | undefined;
  http?: string | undefined;
  pin?: string | undefined;
  'legacy-ecb'?: boolean | undefined;
}

export async function runOperationCommand(
  name: OperationName,
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  io: OperationIo = processIo,
): Promise<number> {
  let values: OperationValues;
  try {
    // A subset of OPTIONS, so the values are OPTIONS' less what this operation does not take.
    values = parseCommandArgs(name, { args: argv, options: optionsOf(name) }).values as OperationValues;
  } catch (e) {
    io.stderr.write(usageLine(name, e));
    return operationExit(name, 'USAGE');
  }
  if (values.node === undefined) {
    io.stderr.write(`myseal ${name}: --node N is required (${NODE_ID_RANGE})\n`);
    return operationExit(name, 'USAGE');
  }
  const node = parseNodeId(values.node);
  if (node === null) {
    // The value may be a PIN typed in the wrong place: named, not echoed.
    io.stderr.write(`myseal ${name}: the node id given to --node is not one: node ids are ${NODE_ID_RANGE}\n`);
    return operationExit(name, 'USAGE');
  }
  let report: OutcomeReport;
  let exit: ExitName | undefined;
  try {
    report = await operate(name, node, values, env, io);
  } catch (e) {
    if (isEnding(e)) {
      io.stderr.write(`myseal ${name}: ${e.message}\n`);
      return operationExit(name, e.exit);
    }
    report = describeOutcome(node, e);
    if (isMySealError(e) && (e.code === ErrorCode.BAD_CONFIG || e.code === ErrorCode.CONFIG_UNREADABLE)) exit = 'BAD_CONFIG';
    if (isMySealError(e) && (e.code === ErrorCode.USAGE || e.code === ErrorCode.STATE_LOCKED)) {
      io.stderr.write(`myseal ${name}: ${e.message}\n`);
      return operationExit(name, e.code === ErrorCode.USAGE ? 'USAGE' : 'FAILURE');
    }
  }
  // A node with no key here is said in words, whichever way the operation went.
  const text = report.result === 'unknown_node' ? 'not a sealed lock here (no key for this node)' : report.text;
  io.stdout(values.json ? `${JSON.stringify(report)}\n` : `node ${node}: ${text}\n`);
  if (report.result === UNCONFIRMED) {
    io.stderr.write(`myseal ${name}: node ${node} did not confirm; both keys are kept until its next answer shows which one it holds\n`);
  }
  return operationExit(name, exit ?? report);
}
