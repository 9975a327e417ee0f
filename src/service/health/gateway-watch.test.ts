/**
 * GatewayWatch on a fake clock (the probe timing), the daemon on a fake gateway that dies behind a
 * link that stays up (commands fail as gateway unreachable), and a real TCP link to a gateway that
 * stops answering (ended, reconnected).
 */
import { test, mock } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { ErrorCode, MySealError } from '../../core/errors.ts';
import { Command, Internal, SetReq } from '../../core/mysensors/enums.ts';
import type { MySensorsMessage } from '../../core/mysensors/message.ts';
import { makePair } from '../../demo/memory-pair.ts';
import { TcpGateway } from '../../gateway/tcp.ts';
import { FakeGateway } from '../../../test/support/fake-gateway.ts';
import { until } from '../../../test/support/until.ts';
import { Daemon } from '../daemon.ts';
import type { Outbound } from '../daemon.ts';
import { GatewayWatch } from './gateway-watch.ts';
import type { GatewayWatchOptions } from './gateway-watch.ts';
import { httpStatusFor } from '../../edges/http/outcome-status.ts';
import { exitCodeFor } from '../../edges/cli/exit-code.ts';

const PROBE_AFTER_MS = 5_000;
const ANSWER_TIMEOUT_MS = 2_000;

const isVersionRequest = (m: MySensorsMessage): boolean => m.nodeId === 0 && m.command === Command.C_INTERNAL && m.type === Internal.I_VERSION;
const VERSION_ANSWER: MySensorsMessage = { nodeId: 0, childId: 255, command: Command.C_INTERNAL, echo: false, type: Internal.I_VERSION, payload: '2.3.2' };
const REPORT: MySensorsMessage = { nodeId: 7, childId: 0, command: Command.C_SET, echo: false, type: SetReq.V_TEMP, payload: '21.5' };

/** A fake gateway that counts the version requests it is sent and records what abandon() is told. */
class WatchedGateway extends FakeGateway {
  probes = 0;
  readonly abandoned: string[] = [];

  override send(message: MySensorsMessage): boolean {
    if (this.connected && isVersionRequest(message)) this.probes++;
    return super.send(message);
  }

  abandon(reason: string): void {
    this.abandoned.push(reason);
  }
}

/** The fake gateway's answers, and the watch's verdicts, come on a later turn of the (real) event loop. */
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Moves the fake clock by ms, a step at a time, letting each step's answers and verdicts happen. */
async function advance(ms: number, step = 100): Promise<void> {
  for (let left = ms; left > 0; left -= step) {
    mock.timers.tick(Math.min(step, left));
    await turn();
  }
}

/** A watch on a gateway that has just connected (and answered), on the fake clock. */
async function watched(t: TestContext, opts: GatewayWatchOptions = {}) {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  const gateway = new WatchedGateway();
  gateway.connected = false;
  const changes: boolean[] = [];
  const watch = new GatewayWatch(gateway, { probeAfterMs: PROBE_AFTER_MS, answerTimeoutMs: ANSWER_TIMEOUT_MS, onChange: (a) => changes.push(a), ...opts });
  t.after(() => {
    watch.close();
    mock.timers.reset();
  });
  assert.equal(watch.answering, false, 'nothing heard yet');
  gateway.connected = true;
  gateway.emit('connected');
  assert.equal(gateway.probes, 1, 'asked at once on connect');
  assert.equal(watch.answering, false, 'connected, but not heard yet');
  await turn();
  assert.equal(watch.answering, true, 'the answer makes it answering');
  return { gateway, watch, changes };
}

test('a gateway that dies behind a live link: not answering within answerTimeoutMs of the next probe, and the link is abandoned; any line makes it answering again', async (t) => {
  const { gateway, watch, changes } = await watched(t);
  assert.equal(watch.lastHeard, 0);
  gateway.alive = false;
  await advance(PROBE_AFTER_MS - 1);
  assert.equal(gateway.probes, 1, 'no probe before the link has been quiet for probeAfterMs');
  await advance(1);
  assert.equal(gateway.probes, 2, 'a probe once it has');
  await advance(ANSWER_TIMEOUT_MS - 1);
  assert.equal(watch.answering, true, 'not before answerTimeoutMs');
  await advance(1);
  assert.equal(watch.answering, false);
  assert.equal(gateway.connected, true, 'the link itself is still up');
  assert.deepEqual(changes, [false]);
  assert.deepEqual(gateway.abandoned, ['the gateway did not answer']);
  assert.equal(await watch.confirm(), false, 'confirm() says so at once after a fresh verdict');
  assert.equal(gateway.probes, 2, 'without asking again');

  // Still silent at the next probe: no second change; a caller meanwhile waits for that probe.
  await advance(PROBE_AFTER_MS - ANSWER_TIMEOUT_MS);
  assert.equal(gateway.probes, 3, 'a silent gateway is still asked every probeAfterMs');
  const asked = watch.confirm();
  await advance(ANSWER_TIMEOUT_MS);
  assert.equal(await asked, false);
  assert.equal(gateway.probes, 3, 'the caller shared the probe that was out');
  assert.deepEqual(changes, [false]);

  // Any line at all proves it alive again: here a node's report, not an answer to a probe.
  gateway.alive = true;
  await advance(1_000);
  gateway.fromNode(REPORT);
  assert.equal(watch.answering, true);
  assert.equal(watch.lastHeard, Date.now());
  assert.deepEqual(changes, [false, true]);
  assert.equal(await watch.confirm(), true);
});

test('traffic keeps the watch quiet: no probe while lines come, the quiet time counts from the last one; a refused line counts too', async (t) => {
  const { gateway, watch } = await watched(t);
  for (let i = 0; i < 20; i++) {
    await advance(1_000);
    if (i % 2 === 0) gateway.fromNode(REPORT);
    else gateway.emit('invalid', new MySealError(ErrorCode.LINE_FIELD_COUNT, 'refused'));
  }
  assert.equal(gateway.probes, 1, 'a busy link is never probed');
  await advance(PROBE_AFTER_MS - 1);
  assert.equal(gateway.probes, 1);
  await advance(1);
  assert.equal(gateway.probes, 2);
  assert.equal(watch.answering, true);
});

test('confirm(): true at once after a recent line; otherwise one probe serves every caller; false when the link is down', async (t) => {
  const { gateway, watch } = await watched(t);
  assert.equal(await watch.confirm(), true);
  assert.equal(gateway.probes, 1, 'heard just now: nothing asked');

  await advance(PROBE_AFTER_MS - 1);
  mock.timers.tick(1); // quiet: the watch asks; the answer comes on the next turn
  assert.equal(gateway.probes, 2);
  assert.equal(watch.heardRecently(), false);
  const waiting = [watch.confirm(), watch.confirm(), watch.confirm()];
  assert.equal(gateway.probes, 2, 'the callers share the probe that is out');
  assert.deepEqual(await Promise.all(waiting), [true, true, true]);

  gateway.alive = false;
  await advance(PROBE_AFTER_MS);
  assert.equal(gateway.probes, 3);
  const cut = watch.confirm();
  gateway.connected = false;
  gateway.emit('disconnected', 'test');
  assert.equal(await cut, false, 'a caller waiting when the link drops is told at once');
  assert.equal(await watch.confirm(), false);
  assert.equal(watch.answering, false);
});

test("the answer to the watch's own probe is claimed once; another answer, and one after its probe was given up, are not", async (t) => {
  const { gateway, watch } = await watched(t);
  // watched() let the first answer through unclaimed (nobody claimed it): the probe is still out.
  assert.equal(watch.claimsAnswer(REPORT), false, 'only a version answer');
  assert.equal(watch.claimsAnswer({ ...VERSION_ANSWER, nodeId: 7 }), false, "a node's version is not the gateway's");
  assert.equal(watch.claimsAnswer(VERSION_ANSWER), true);
  assert.equal(watch.claimsAnswer(VERSION_ANSWER), false, "a controller's own question gets its answer");

  gateway.alive = false;
  await advance(PROBE_AFTER_MS + ANSWER_TIMEOUT_MS);
  assert.equal(watch.answering, false);
  assert.equal(watch.claimsAnswer(VERSION_ANSWER), false, 'too late: passed on');
});

test('a stalled process is not the gateway\'s fault: a probe whose timer fires late gets one more wait, and a line read meanwhile counts', async (t) => {
  let stall = 0;
  const { gateway, watch, changes } = await watched(t, { clock: () => Date.now() + stall });
  gateway.alive = false;
  await advance(PROBE_AFTER_MS);
  assert.equal(gateway.probes, 2);
  stall = 3 * ANSWER_TIMEOUT_MS; // the timer below fires, by this clock, long after its time
  await advance(ANSWER_TIMEOUT_MS);
  assert.equal(watch.answering, true, 'no verdict from a late timer');
  gateway.fromNode(REPORT); // the line that was waiting, unread, while the process stood still
  await advance(ANSWER_TIMEOUT_MS);
  assert.equal(watch.answering, true);
  assert.deepEqual(changes, []);
  assert.deepEqual(gateway.abandoned, []);
});

test('the daemon: a command to a gateway that died behind a live link fails as gateway unreachable, not as a lock timeout; health says so; the probe answers reach no controller', async (t) => {
  const p = makePair();
  const gateway = new WatchedGateway();
  gateway.addSealedNode(p.node);
  const warnings: string[] = [];
  const logger = { info() {}, debug() {}, error() {}, warn: (_o: object, msg?: string) => void warnings.push(msg ?? '') };
  const daemon = new Daemon({
    gateway,
    keys: p.keys,
    counters: p.counters,
    nodes: new Map(),
    logger,
    // An operation's tries outlast the quiet time plus the answer wait, as the defaults do (3 x 3 s against 5 + 2 s).
    timeoutMs: 600,
    retries: 1,
    gatewayWatch: { probeAfterMs: 300, answerTimeoutMs: 200 },
  });
  const seen: Outbound[] = [];
  daemon.attach({ id: 'ctl', send: (o) => seen.push(o) });
  daemon.start();
  t.after(() => daemon.stop());
  await until(() => daemon.health().gatewayAnswering, 'the gateway to answer');
  assert.equal((await daemon.status(5, 'test')).result, 'status');
  // Quiet for a while: the daemon asks the gateway whether it is there, and keeps the answers to itself.
  const asked = gateway.probes;
  await until(() => gateway.probes > asked, 'a probe on a quiet link');
  await turn(); // its answer
  assert.equal(daemon.health().gatewayAnswering, true);
  const versionAnswers = (): Outbound[] => seen.filter((o) => o.message && o.message.nodeId === 0 && o.message.type === Internal.I_VERSION);
  assert.deepEqual(versionAnswers(), [], 'no controller hears the answers to MySeal\'s probes');

  // Dies in the middle of an operation (just heard, so it goes out without asking): the node's
  // silence is the gateway's, and is reported as such.
  gateway.fromNode(REPORT);
  gateway.alive = false;
  const during = await daemon.status(5, 'test');
  assert.equal(during.result, 'gateway_down');
  assert.equal(during.text, 'gateway unreachable');
  assert.equal(exitCodeFor(during), 13);
  assert.equal(daemon.health().gatewayConnected, true, 'the link is up');
  assert.equal(daemon.health().gatewayAnswering, false, 'the gateway is not');
  assert.ok(warnings.includes('gateway not answering'));

  // Dead before it starts: nothing goes out, the answer comes without the lock's timeouts.
  const sentBefore = gateway.sent.length;
  const unlock = await daemon.unlock(5, '1234', 'test');
  assert.equal(unlock.result, 'gateway_down');
  assert.equal(httpStatusFor(unlock), 502);
  assert.equal(gateway.sent.length, sentBefore, 'no sealed frame into the void');

  // Back (it says anything): commands work again.
  gateway.alive = true;
  gateway.fromNode(REPORT);
  assert.equal(daemon.health().gatewayAnswering, true);
  assert.equal((await daemon.unlock(5, '1234', 'test')).result, 'unlocked');
  assert.deepEqual(versionAnswers(), []);
});

test('TCP: the connection to a gateway that stops answering is ended and made again', { timeout: 20_000 }, async (t) => {
  // A gateway on a real socket that answers version requests while `answering`, and otherwise
  // takes every byte and says nothing, as one that lost power behind a half-open connection.
  let answering = true;
  const connections: Socket[] = [];
  const server = createServer((s) => {
    connections.push(s);
    s.on('data', (d: Buffer) => {
      if (answering && d.toString('latin1').includes('0;255;3;0;2;\n')) s.write('0;255;3;0;2;2.3.2\n');
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const gateway = new TcpGateway({ host: '127.0.0.1', port });
  const reasons: string[] = [];
  gateway.on('disconnected', (reason) => reasons.push(reason));
  const watch = new GatewayWatch(gateway, { probeAfterMs: 150, answerTimeoutMs: 300 });
  gateway.start();
  t.after(async () => {
    watch.close();
    await gateway.stop();
    for (const s of connections) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });
  await until(() => watch.answering, 'the gateway to answer');

  answering = false;
  await until(() => reasons.length > 0, 'the silent connection to be ended', 10_000);
  assert.equal(reasons[0], 'the gateway did not answer');
  answering = true;
  await until(() => connections.length > 1 && gateway.connected && watch.answering, 'a new connection, answered', 10_000);
});

test('a link that drops while the gateway is asked is waited for again: the operation goes through on the next connection', async (t) => {
  const p = makePair({ node: { onSet: () => true } });
  /** Closes its first connection as the probe goes out, as a gateway whose one client slot is still taken. */
  class OneSlotGateway extends WatchedGateway {
    refusals = 1;
    override send(message: MySensorsMessage): boolean {
      // The probe at start is answered; the one the operation's check sends meets the full slot.
      if (this.connected && isVersionRequest(message) && this.probes >= 1 && this.refusals > 0) {
        this.refusals--;
        this.connected = false;
        setImmediate(() => this.emit('disconnected', 'closed by the gateway'));
        setTimeout(() => {
          this.connected = true;
          this.emit('connected');
        }, 30);
        return true;
      }
      return super.send(message);
    }
  }
  const gateway = new OneSlotGateway();
  gateway.addSealedNode(p.node);
  const daemon = new Daemon({
    gateway,
    keys: p.keys,
    counters: p.counters,
    nodes: new Map([[p.nodeId, { children: new Map([[1, { kind: 'lock', policy: 'refuse', pinLength: 4 }]]) }]]),
    timeoutMs: 500,
    retries: 0,
    holdMs: 5_000,
    // Quiet at once: the operation asks the gateway afresh rather than trusting the answer at start.
    gatewayWatch: { probeAfterMs: 1 },
  });
  daemon.start();
  t.after(() => daemon.stop());
  await until(() => gateway.probes >= 1, 'the probe at start');
  await new Promise((r) => setTimeout(r, 10));
  const report = await daemon.status(5, 'test');
  assert.equal(gateway.refusals, 0, 'the first connection was dropped under the probe');
  assert.equal(report.ok, true, report.result);
  assert.equal(report.result, 'status');
});
