/**
 * A model of PubSubClient's one packet buffer, as used by the MySensors MQTT gateway
 * (drivers/PubSubClient/PubSubClient.cpp; the Arduino library behaves the same).
 *
 * Incoming packets are read into it from offset 0 and the payload handed to the gateway is a
 * pointer into it, not terminated. The gateway terminates string payloads itself, but decodes
 * C_STREAM hex with `while (*payload)`, so it reads on into whatever an earlier, longer packet
 * left behind: often the gateway's own last publish, which is built in the same buffer. This
 * model keeps the bytes where the library would, so the simulator sees what a real gateway sees.
 *
 * Modelled: received PUBLISH packets (QoS 0), the gateway's PUBLISH and SUBSCRIBE packets, and
 * the NUL the gateway writes after a string payload. Not modelled: CONNECT, CONNACK, SUBACK and
 * PING packets, which touch only the first few bytes, before any payload. A run that reaches the
 * end of the buffer is cut there (the real decoder would go on into neighbouring memory; with a
 * payload start past offset 19 that run is already longer than 50 hex digits and counts as an
 * overflow anyway).
 */

/** MQTT_MAX_PACKET_SIZE of PubSubClient (and of the copy bundled with MySensors). */
export const MQTT_MAX_PACKET_SIZE = 128;

const PUBLISH = 0x30;
const SUBSCRIBE_QOS1 = 0x82;

function remainingLength(n: number): number[] {
  const out: number[] = [];
  do {
    let digit = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) digit |= 0x80;
    out.push(digit);
  } while (n > 0);
  return out;
}

export class PubSubBuffer {
  readonly bytes = new Uint8Array(MQTT_MAX_PACKET_SIZE);
  #nextMsgId = 0;

  /**
   * A QoS 0 PUBLISH as readPacket() stores it. Returns where its payload starts and where the
   * packet ends, or null for a packet too long for the buffer (the library ignores it).
   */
  receivePublish(topic: Uint8Array, payload: Uint8Array): { payloadAt: number; end: number } | null {
    const header = [PUBLISH, ...remainingLength(2 + topic.length + payload.length), topic.length >> 8, topic.length & 0xff];
    const total = header.length + topic.length + payload.length;
    if (total > MQTT_MAX_PACKET_SIZE) return null;
    this.bytes.set(header, 0);
    this.bytes.set(topic, header.length);
    const payloadAt = header.length + topic.length;
    this.bytes.set(payload, payloadAt);
    return { payloadAt, end: total };
  }

  /** What `while (*p)` walks over from `at`: up to the next 0 byte (or the end of the buffer). */
  runFrom(at: number): Uint8Array {
    let end = at;
    while (end < this.bytes.length && this.bytes[end] !== 0) end++;
    return this.bytes.slice(at, end);
  }

  /** The gateway's `value[length] = '\0'` after a string payload. */
  terminate(at: number): void {
    if (at < this.bytes.length) this.bytes[at] = 0;
  }

  /** publish(): the packet is built at offset 5 on (header just before). False when too long. */
  publish(topic: Uint8Array, payload: Uint8Array): boolean {
    if (MQTT_MAX_PACKET_SIZE < 5 + 2 + topic.length + payload.length) return false;
    this.#build(PUBLISH, [topic.length >> 8, topic.length & 0xff, ...topic, ...payload]);
    return true;
  }

  /** subscribe(): message id, filter, QoS, built the same way. */
  subscribe(filter: Uint8Array): void {
    if (MQTT_MAX_PACKET_SIZE < 9 + filter.length) return;
    this.#nextMsgId = (this.#nextMsgId + 1) & 0xffff || 1;
    this.#build(SUBSCRIBE_QOS1, [this.#nextMsgId >> 8, this.#nextMsgId & 0xff, filter.length >> 8, filter.length & 0xff, ...filter, 0]);
  }

  #build(header: number, body: number[]): void {
    this.bytes.set(body, 5);
    const length = remainingLength(body.length);
    this.bytes[4 - length.length] = header;
    this.bytes.set(length, 5 - length.length);
  }
}
