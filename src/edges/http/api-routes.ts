/**
 * The HTTP API's routes, once a request is authorized (api-server.ts):
 *
 *   GET  /digit?node=N&d=D[&token=T]     a Domoticz selector level's http:// action (no headers);
 *                                        &wait=0 answers at once even for the last digit
 *   POST /api/nodes/N/digits             {"digits":"12"} or {"digit":"3"}: openHAB, Home Assistant, Node-RED
 *   POST /api/nodes/N/unlock             {"pin":"1234"}, and "legacyEcb":true to insist on the original format
 *   POST /api/nodes/N/lock | /status     {}
 *   POST /api/nodes/N/set-pin            {"oldPin":"1234","newPin":"5678"}
 *   POST /api/nodes/N/rotate-key         {}: a new key for the node (202 when sent and not confirmed)
 *   GET  /api/nodes, /api/nodes/N        node state (N: with PIN entry's submitKey and clearKey)
 *   GET  /api/health                     gateway link and counters
 *
 * A digit that completes a PIN answers with the lock's sealed result; earlier digits answer at once.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NODE_ID_RANGE, parseNodeId } from '../../core/protocol/node-id.ts';
import type { ApiService } from '../../service/interfaces.ts';
import type { OutcomeReport } from '../../service/lock/outcome.ts';
import type { DigitOutcome } from '../../service/lock/pin-entry.ts';
import { HttpError, readJson, sendJson } from './http-json.ts';
import { httpStatusFor } from './outcome-status.ts';

function nodeId(text: string | null | undefined): number {
  const node = parseNodeId(text);
  if (node === null) throw new HttpError(400, 'BAD_NODE_ID', `node is a number ${NODE_ID_RANGE}`);
  return node;
}

function stringField(body: Record<string, unknown>, name: string): string {
  const v = body[name];
  if (typeof v !== 'string') throw new HttpError(400, 'BAD_FIELD', `"${name}" must be a string`);
  return v;
}

function source(req: IncomingMessage): string {
  return `http:${req.socket.remoteAddress ?? '?'}`;
}

/** The service's outcome, with the HTTP status it maps to. */
function answerOutcome(res: ServerResponse, report: OutcomeReport): void {
  sendJson(res, httpStatusFor(report), report);
}

async function answerDigit(res: ServerResponse, outcome: DigitOutcome<OutcomeReport>): Promise<void> {
  if (outcome.state === 'submitted') answerOutcome(res, await outcome.result);
  else sendJson(res, outcome.state === 'buffered' ? 202 : 200, outcome);
}

export async function serveApi(service: ApiService, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const method = req.method ?? 'GET';
  const path = url.pathname.replace(/\/+$/, '') || '/';
  if (path === '/digit' && method === 'GET') {
    const outcome = service.digit(nodeId(url.searchParams.get('node')), url.searchParams.get('d') ?? '', source(req));
    if (outcome.state === 'submitted' && url.searchParams.get('wait') === '0') {
      // The result still reaches controllers, MQTT and the audit log; this caller just won't wait.
      outcome.result.catch(() => undefined);
      sendJson(res, 202, { state: 'submitted' });
      return;
    }
    return answerDigit(res, outcome);
  }
  if (path === '/api/health' && method === 'GET') return sendJson(res, 200, { ...service.health(), counters: service.counterValues() });
  if (path === '/api/nodes' && method === 'GET') return sendJson(res, 200, { nodes: service.nodeIds().map((n) => service.nodeView(n) ?? { node: n }) });
  const m = /^\/api\/nodes\/([^/]+)(?:\/([a-z-]+))?$/.exec(path);
  if (!m) throw new HttpError(404, 'NOT_FOUND', 'no such resource');
  const node = nodeId(m[1]);
  const action = m[2];
  if (!action && method === 'GET') {
    const view = service.nodeView(node);
    if (!view) throw new HttpError(404, 'UNKNOWN_NODE', 'no sealed node with that id');
    return sendJson(res, 200, { ...view, bufferedDigits: service.bufferedDigits(node), ...service.keys });
  }
  if (method !== 'POST') throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'use POST');
  const body = await readJson(req);
  const from = source(req);
  switch (action) {
    case 'digits': {
      // {"digit":"3"}, {"digit":3}, {"digits":"12"}, or a text/plain body "3".
      const given = body.digit ?? body.digits ?? body.text;
      const keys = typeof given === 'number' && Number.isInteger(given) ? String(given) : given;
      if (typeof keys !== 'string') throw new HttpError(400, 'BAD_FIELD', 'send "digit" or "digits" as a string (or a text/plain body)');
      if (keys.length === 0 || keys.length > 10) throw new HttpError(400, 'BAD_FIELD', 'send 1 to 10 keys');
      let last: DigitOutcome<OutcomeReport> | undefined;
      for (const key of keys) {
        last = service.digit(node, key, from);
        if (last.state === 'submitted') break;
      }
      return answerDigit(res, last!);
    }
    case 'unlock': {
      // {"pin":"1234","legacyEcb":true}: `myseal unlock --legacy-ecb`, for a node in legacy mode.
      const legacy = body.legacyEcb;
      if (legacy !== undefined && typeof legacy !== 'boolean') throw new HttpError(400, 'BAD_FIELD', '"legacyEcb" must be true or false');
      return answerOutcome(res, await service.unlock(node, stringField(body, 'pin'), from, { legacy: legacy === true }));
    }
    case 'lock':
      return answerOutcome(res, await service.lock(node, from));
    case 'status':
      return answerOutcome(res, await service.status(node, from));
    case 'set-pin':
      return answerOutcome(res, await service.setPin(node, stringField(body, 'oldPin'), stringField(body, 'newPin'), from));
    case 'rotate-key':
      return answerOutcome(res, await service.rotateKey(node, from));
    default:
      throw new HttpError(404, 'NOT_FOUND', 'no such action');
  }
}
