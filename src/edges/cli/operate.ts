/**
 * `myseal unlock|lock|status|set-pin --node N`: one operation for scripts. Through a running daemon
 * (its HTTP API) when one answers; otherwise the same service runs in this process for the one
 * operation (app/one-shot.ts), holding the state dir's lock meanwhile.
 *
 * The PIN comes from a prompt (nothing echoed), stdin, or $MYSEAL_PIN (and $MYSEAL_NEW_PIN for
 * set-pin); `--pin` works but warns, since process lists show it. Exit codes differ per outcome
 * (exit-code.ts): 0 done, 10 wrong PIN, 11 locked out, 12 timeout, 13 gateway or daemon unreachable,
 * 14 bad configuration, 15 refused, 16 rate limited, 2 usage.
 *
 * `unlock --legacy-ecb` takes the same way: a running daemon sends the original format for a node in
 * legacy mode (and refuses it for any other), so it works while `serve` holds the gateway.
 */
import { loadConfig } from '../../config/config.ts';
import type { Config } from '../../config/config.ts';
import { describeOutcome } from '../../service/lock/outcome.ts';
import type { OutcomeReport } from '../../service/lock/outcome.ts';
import type { LockCommands } from '../../service/interfaces.ts';
import { ErrorCode, isMySealError, MySealError, errnoCode } from '../../core/errors.ts';
import { LEGACY_REPLAY_WARNING } from '../../core/legacy/replay-warning.ts';
import { callDaemon, daemonUrl } from '../http/daemon-client.ts';
import type { DaemonAnswer } from '../http/daemon-client.ts';
import { NODE_ID_RANGE, parseNodeId } from '../../core/protocol/node-id.ts';
import { ExitCode, exitCodeFor } from './exit-code.ts';
import { NEEDS_PIN } from './help/operate.ts';
import type { OperationName } from './help/operate.ts';
import { readSecrets } from './secret-input.ts';
import { parseCommandArgs, usageLine } from './parse-args.ts';

/** The daemon answers an operation within the node's timeouts and retries; allow for all of them. */
const DAEMON_TIMEOUT_MS = 30_000;

async function pins(name: OperationName, flagPin: string | undefined, env: NodeJS.ProcessEnv): Promise<string[]> {
  const count = NEEDS_PIN[name];
  if (count === 0) return [];
  if (flagPin !== undefined) {
    process.stderr.write('myseal: warning: a PIN on the command line is visible to other users (ps); use a prompt, stdin or $MYSEAL_PIN\n');
  }
  const fromEnv = [flagPin ?? env.MYSEAL_PIN, env.MYSEAL_NEW_PIN].slice(0, count);
  if (fromEnv.every((p) => p !== undefined)) return fromEnv as string[];
  return readSecrets(count === 1 ? ['PIN: '] : ['Current PIN: ', 'New PIN: ']);
}

/** Asks the daemon (over HTTPS when it serves it); undefined when no daemon answers on the configured address. */
async function viaDaemon(config: Config, name: OperationName, node: number, p: string[], legacy: boolean): Promise<OutcomeReport | undefined> {
  const body = name === 'unlock' ? { pin: p[0], ...(legacy ? { legacyEcb: true } : {}) } : name === 'set-pin' ? { oldPin: p[0], newPin: p[1] } : {};
  let answer: DaemonAnswer;
  try {
    answer = await callDaemon(config, `/api/nodes/${node}/${name}`, { method: 'POST', body, timeoutMs: DAEMON_TIMEOUT_MS });
  } catch (e) {
    if (isMySealError(e)) throw e; // the token or the daemon's certificate: a configuration problem
    if (errnoCode(e) === 'ECONNREFUSED') return undefined;
    throw new MySealError(ErrorCode.GATEWAY_DOWN, `the daemon at ${daemonUrl(config)} did not answer`, { node });
  }
  const json = answer.body as Partial<OutcomeReport> & { error?: string; message?: string };
  if (json.result !== undefined) return json as OutcomeReport;
  // The daemon's refusals carry MySeal's own error codes: map them back to the same outcomes.
  const code = ErrorCode[json.error as keyof typeof ErrorCode] as ErrorCode | undefined;
  if (code === ErrorCode.NO_KEY || code === ErrorCode.BAD_PIN || code === ErrorCode.RATE_LIMITED || code === ErrorCode.REFUSED_BY_POLICY) {
    return describeOutcome(node, new MySealError(code, json.message ?? 'refused', { node }));
  }
  throw new MySealError(json.error === 'UNAUTHORIZED' ? ErrorCode.BAD_CONFIG : ErrorCode.USAGE, `daemon: ${json.message ?? 'refused'}`, { node });
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
  }
}

/** Every legacy send, whichever way it goes: such a line opens the door again for anyone who recorded it. */
function warnReplayable(): void {
  process.stderr.write(`myseal: warning: ${LEGACY_REPLAY_WARNING}\n`);
}

export async function runOperationCommand(name: OperationName, argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let values;
  try {
    ({ values } = parseCommandArgs(name, {
      args: argv,
      options: {
        node: { type: 'string' },
        json: { type: 'boolean', default: false },
        config: { type: 'string' },
        'state-dir': { type: 'string' },
        gateway: { type: 'string' },
        http: { type: 'string' },
        pin: { type: 'string' },
        'legacy-ecb': { type: 'boolean', default: false },
      },
    }));
  } catch (e) {
    process.stderr.write(usageLine(name, e));
    return ExitCode.USAGE;
  }
  const node = parseNodeId(values.node);
  if (node === null) {
    process.stderr.write(`myseal ${name}: --node N is required (${NODE_ID_RANGE})\n`);
    return ExitCode.USAGE;
  }
  let report: OutcomeReport;
  let exitCode: number | undefined;
  try {
    const config = loadConfig(values.config, env, { stateDir: values['state-dir'], gateway: values.gateway, http: values.http });
    const p = await pins(name, values.pin, env);
    const legacy = values['legacy-ecb'] === true;
    if (legacy) warnReplayable();
    // Through a running daemon, which holds the gateway and the state lock; the service in this
    // process only when none answers (and only then is what that needs loaded).
    report =
      (await viaDaemon(config, name, node, p, legacy)) ??
      (await import('../../app/one-shot.ts').then((m) => m.runInProcess(config, `myseal ${name}`, node, (service) => inProcess(service, name, node, p, legacy), { legacy })));
    // A node the daemon keeps in legacy mode got the original format without being asked by flag.
    if (!legacy && report.result === 'sent_legacy') warnReplayable();
  } catch (e) {
    report = describeOutcome(node, e);
    if (isMySealError(e) && (e.code === ErrorCode.BAD_CONFIG || e.code === ErrorCode.CONFIG_UNREADABLE)) exitCode = ExitCode.BAD_CONFIG;
    if (isMySealError(e) && (e.code === ErrorCode.USAGE || e.code === ErrorCode.STATE_LOCKED)) {
      process.stderr.write(`myseal ${name}: ${e.message}\n`);
      return e.code === ErrorCode.USAGE ? ExitCode.USAGE : ExitCode.FAILURE;
    }
  }
  process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : `node ${node}: ${report.text}\n`);
  return exitCode ?? exitCodeFor(report);
}
