/**
 * A one-shot operation when no daemon answers: straight to the gateway, holding the state dir's lock
 * for the length of the operation so counters never collide with a daemon that starts meanwhile.
 * A module of its own, loaded only then, since it needs the gateway transports (serial, MQTT), the
 * stores and the protocol, which the way through a daemon does not.
 */
import type { Config } from '../../config/config.ts';
import { AuditLog } from '../../audit/audit-log.ts';
import { GatewayWatch } from '../../service/health/gateway-watch.ts';
import { describeOutcome, ExitCode } from '../../service/lock/outcome.ts';
import type { OutcomeReport } from '../../service/lock/outcome.ts';
import { ErrorCode, MySealError } from '../../core/errors.ts';
import { GatewayFrameLink } from '../../gateway/frame-link.ts';
import type { GatewayTransport } from '../../gateway/transport.ts';
import { legacyUnlockLineFromStore } from '../../service/lock/legacy-sender.ts';
import { parseLine } from '../../core/mysensors/line.ts';
import { Op } from '../../core/protocol/body.ts';
import type { Command } from '../../core/protocol/body.ts';
import { ControllerChannel } from '../../core/protocol/controller-channel.ts';
import { runOperation } from '../../core/protocol/operation.ts';
import { FileCounters } from '../../store/counter-store.ts';
import { FileKeyStore } from '../../store/key-store.ts';
import { acquireStateLock } from '../../store/state-lock.ts';
import { ensureStateDir } from '../../store/state-dir.ts';
import { gatewayFromConfig } from './broker-login.ts';
import type { OperationName } from './help/operate.ts';

/** How long a one-shot command waits for a gateway to accept its connection. */
const GATEWAY_CONNECT_TIMEOUT_MS = 5_000;

function toCommand(name: OperationName, p: string[]): Command {
  switch (name) {
    case 'unlock':
      return { op: Op.Unlock, pin: p[0]! };
    case 'lock':
      return { op: Op.Lock };
    case 'status':
      return { op: Op.Status };
    case 'set-pin':
      return { op: Op.SetPin, oldPin: p[0]!, newPin: p[1]! };
  }
}

function waitConnected(gateway: GatewayTransport, node: number): Promise<void> {
  if (gateway.connected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      gateway.off('connected', done);
      reject(new MySealError(ErrorCode.GATEWAY_DOWN, 'the gateway did not accept a connection', { node }));
    }, GATEWAY_CONNECT_TIMEOUT_MS);
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    gateway.once('connected', done);
  });
}

/** No daemon: straight to the gateway, under the state dir's lock. */
export async function direct(config: Config, name: OperationName, node: number, p: string[], legacy: boolean): Promise<OutcomeReport> {
  if (!config.gateway) {
    throw new MySealError(ErrorCode.GATEWAY_DOWN, 'no daemon answers and no gateway is configured (--gateway)', { node });
  }
  ensureStateDir(config.stateDir);
  const lock = acquireStateLock(config.stateDir, `myseal ${name}`);
  const gateway = gatewayFromConfig(config);
  const audit = AuditLog.open(config.stateDir, { maxBytes: config.log.auditMaxBytes, keep: config.log.auditKeep });
  // A link that is up is not a gateway that answers (an MQTT gateway's broker outlives it): the
  // gateway itself is asked first, so a dead one is named as such at once.
  const watch = new GatewayWatch(gateway);
  try {
    gateway.start();
    await waitConnected(gateway, node);
    if (!(await watch.confirm())) throw new MySealError(ErrorCode.GATEWAY_DOWN, 'the gateway does not answer', { node });
    if (legacy) {
      // The replay warning has been printed already (runOperationCommand): not again as a log line.
      const line = parseLine(legacyUnlockLineFromStore({ stateDir: config.stateDir, node, pin: p[0]!, logger: { warn: () => undefined } }));
      const sent = line.ok && gateway.send(line.value);
      audit.append({ event: 'legacy', node, child: 1, source: 'cli', result: sent ? 'sent_legacy' : 'gateway_down' });
      return sent
        ? { node, result: 'sent_legacy', ok: true, text: 'sent (legacy, replayable)', httpStatus: 200, exitCode: ExitCode.OK }
        : describeOutcome(node, new MySealError(ErrorCode.GATEWAY_DOWN, 'not sent', { node }));
    }
    const channel = new ControllerChannel({ nodeId: node, keys: FileKeyStore.open(config.stateDir), counters: FileCounters.open(config.stateDir) });
    const child = [...(config.nodes.get(node)?.children ?? [])].find(([, c]) => c.kind === 'lock')?.[0] ?? 1;
    const link = new GatewayFrameLink(gateway, node);
    let report: OutcomeReport;
    try {
      report = describeOutcome(node, (await runOperation(channel, link, child, toCommand(name, p))).result);
    } catch (e) {
      report = describeOutcome(node, e);
    } finally {
      link.close();
    }
    audit.append({ event: name === 'set-pin' ? 'set_pin' : name, node, child, source: 'cli', result: report.result });
    return report;
  } finally {
    watch.close();
    audit.close();
    await gateway.stop();
    lock.release();
  }
}
