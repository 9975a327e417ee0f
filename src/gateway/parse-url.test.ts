import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, type MySealError } from '../core/errors.ts';
import { MqttGateway } from './mqtt.ts';
import { createGateway } from './create-gateway.ts';
import { parseGatewayUrl } from './parse-url.ts';
import { SerialGateway } from './serial.ts';
import { TcpGateway } from './tcp.ts';

function refused(url: string, part: string): void {
  assert.throws(
    () => parseGatewayUrl(url),
    (e: MySealError) => {
      assert.equal(e.code, ErrorCode.BAD_CONFIG, url);
      assert.equal(e.detail.part, part, `${url}: ${e.message}`);
      assert.ok(!e.message.includes('hunter2'), e.message);
      return true;
    },
  );
}

test('tcp URLs', () => {
  assert.deepEqual(parseGatewayUrl('tcp://192.168.1.50:5003'), { kind: 'tcp', host: '192.168.1.50', port: 5003 });
  assert.deepEqual(parseGatewayUrl('tcp://gateway.lan'), { kind: 'tcp', host: 'gateway.lan', port: 5003 });
  assert.deepEqual(parseGatewayUrl('tcp://[::1]:6000'), { kind: 'tcp', host: '::1', port: 6000 });
  assert.deepEqual(parseGatewayUrl(' tcp://gw/ '), { kind: 'tcp', host: 'gw', port: 5003 });
  refused('tcp://gw:0', 'port');
  refused('tcp://gw:70000', 'url');
  refused('tcp://[::1', 'url');
  refused('tcp://gw:5003/x', 'path');
  refused('tcp://gw:5003?baud=1', 'query');
  refused('tcp://user:hunter2@gw', 'userinfo');
  refused('tcp://', 'host');
  refused('tcp://g%20w', 'host');
});

test('serial URLs', () => {
  assert.deepEqual(parseGatewayUrl('serial:///dev/ttyUSB0'), { kind: 'serial', path: '/dev/ttyUSB0', baudRate: 115200 });
  assert.deepEqual(parseGatewayUrl('serial:///dev/ttyACM1?baud=38400'), { kind: 'serial', path: '/dev/ttyACM1', baudRate: 38400 });
  assert.deepEqual(parseGatewayUrl('serial:///dev/serial/by-id/usb-FTDI%20x'), {
    kind: 'serial',
    path: '/dev/serial/by-id/usb-FTDI x',
    baudRate: 115200,
  });
  refused('serial://dev/ttyUSB0', 'host');
  refused('serial:///dev/ttyUSB0?baud=fast', 'baud');
  refused('serial:///dev/ttyUSB0?baud=0', 'baud');
  refused('serial:///dev/ttyUSB0?baud=1&baud=2', 'query');
  refused('serial:///dev/ttyUSB0?speed=9600', 'query');
  refused('serial:///', 'path');
});

test('mqtt URLs', () => {
  const m = parseGatewayUrl('mqtt://broker.lan?in=domoticz/in/MyMQTT&out=domoticz/out/MyMQTT&client=myseal-1');
  assert.deepEqual(m, {
    kind: 'mqtt',
    url: 'mqtt://broker.lan:1883',
    inPrefix: 'domoticz/in/MyMQTT',
    outPrefix: 'domoticz/out/MyMQTT',
    clientId: 'myseal-1',
  });
  const d = parseGatewayUrl('mqtts://user:hunter2@[::1]');
  assert.equal(d.kind, 'mqtt');
  if (d.kind !== 'mqtt') return;
  assert.equal(d.url, 'mqtts://[::1]:8883');
  assert.equal(d.inPrefix, 'mygateway1-in');
  assert.equal(d.outPrefix, 'mygateway1-out');
  assert.match(d.clientId, /^myseal-[0-9a-f]{8}$/);
  assert.equal(d.username, 'user');
  assert.equal(d.password, 'hunter2');
  assert.ok(!d.url.includes('hunter2'));
  refused('mqtt://b?in=a/%23', 'in');
  refused('mqtt://b?out=x/', 'out');
  refused('mqtt://b?in=same&out=same', 'in');
  refused('mqtt://b/topic', 'path');
  refused('mqtt://b?qos=1', 'query');
  refused('mqtt://b?client=', 'client');
  refused('mqtt://user:hunter2@b:99999', 'url');
});

test('other schemes and non-URLs', () => {
  refused('', 'url');
  refused('http://gw', 'scheme');
  refused('ws://broker', 'scheme');
  refused('/dev/ttyUSB0', 'url');
  refused('gateway.lan:5003', 'scheme');
});

test('createGateway picks the transport and does not start it', async () => {
  const tcp = createGateway('tcp://127.0.0.1:5003');
  assert.ok(tcp instanceof TcpGateway);
  assert.equal(tcp.description, 'tcp://127.0.0.1:5003');
  assert.ok(createGateway('serial:///dev/ttyUSB9?baud=9600') instanceof SerialGateway);
  const mqtt = createGateway('mqtt://u:hunter2@127.0.0.1:1883?in=i&out=o', { password: 'other' });
  assert.ok(mqtt instanceof MqttGateway);
  assert.ok(!mqtt.description.includes('hunter2'));
  assert.equal(mqtt.connected, false);
  await mqtt.stop();
});
