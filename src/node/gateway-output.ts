/**
 * How the gateway prints a message for the controller (protocolMyMessage2Serial,
 * protocolMyMessage2MQTT): `sender;child;command;echo;type;payload\n` on serial and TCP, and
 * `<prefix>/sender/child/command/echo/type` with the payload apart on MQTT. Bytes, not strings:
 * a string payload cut at 25 bytes can end inside a UTF-8 character, and the gateway sends it so.
 */
import { renderPayload } from './radio-message.ts';
import type { RadioMessage } from './radio-message.ts';

function headerText(m: RadioMessage, separator: string): string {
  return [m.sender, m.childId, m.command, m.isEcho ? 1 : 0, m.type].join(separator);
}

export function formatGatewayLine(m: RadioMessage): Uint8Array {
  const head = new TextEncoder().encode(`${headerText(m, ';')};`);
  const payload = renderPayload(m);
  const line = new Uint8Array(head.length + payload.length + 1);
  line.set(head, 0);
  line.set(payload, head.length);
  line[line.length - 1] = 0x0a;
  return line;
}

export function formatGatewayMqtt(m: RadioMessage, outPrefix: string): { topic: string; payload: Uint8Array } {
  return { topic: `${outPrefix}/${headerText(m, '/')}`, payload: renderPayload(m) };
}
