/**
 * The FRITZ!Box-format call-monitor feed (issue 13, compatibility): the lines a call-monitor client reads for an
 * incoming and an outgoing call, connection numbers reused as the box does, numbers taken out of SIP URIs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { CallMonitor, monitorNumber, monitorTime, type MonitoredCall } from '../../src/callmonitor/index.js';
import { silentLogger } from '../../src/base/index.js';

test('numbers: a SIP or tel URI gives its user part; plain numbers stay; no ; or line break gets through', () => {
  assert.equal(monitorNumber('sip:+49301234567@provider.example;user=phone'), '+49301234567');
  assert.equal(monitorNumber('tel:030-1234567;phone-context=+49'), '030-1234567');
  assert.equal(monitorNumber('0301234567'), '0301234567');
  assert.equal(monitorNumber('sip:al%20ice@example.org'), 'al ice');
  assert.equal(monitorNumber('evil;RING\r\n'), 'evilRING');
  assert.equal(monitorNumber(undefined), '');
  assert.equal(monitorTime(new Date(2026, 11, 7, 8, 5, 9)), '07.12.26 08:05:09');
});

test('a client reads RING, CONNECT, DISCONNECT for an incoming call and CALL for an outgoing one, connection ids reused', async () => {
  let listener: ((call: MonitoredCall, from: string | undefined) => void) | undefined;
  const monitor = new CallMonitor({
    host: '127.0.0.1',
    port: 0,
    lines: [{ name: 'home', identity: () => 'sip:home@127.0.0.1:5060', onCallChange: (l) => (listener = l) }],
    logger: silentLogger,
    now: () => new Date(2026, 11, 7, 18, 3, 41),
  });
  const port = await monitor.start();
  const client = connect(port, '127.0.0.1');
  let text = '';
  client.on('data', (d: Buffer) => (text += d.toString()));
  await new Promise((r) => client.once('connect', r));
  await new Promise((r) => setTimeout(r, 50));
  const call = (o: Partial<MonitoredCall>): MonitoredCall => ({ callID: 'c1', direction: 'incoming', status: 'Ringing', remoteParty: { id: 'sip:0301234567@provider.example' }, ...o });
  listener!(call({}), undefined);
  listener!(call({ callID: 'c2', direction: 'outgoing', status: 'Dialing', remoteParty: { id: 'tel:0774940201' } }), undefined);
  listener!(call({ status: 'Connected', connectedAt: 1000 }), 'Ringing');
  listener!(call({ status: 'Talking', connectedAt: 1000 }), 'Connected');
  listener!(call({ status: 'Connected', connectedAt: 1000 }), 'Talking');
  listener!(call({ status: 'Disconnected', connectedAt: 1000, endedAt: 26_400 }), 'Connected');
  listener!(call({ callID: 'c3' }), undefined);
  await new Promise((r) => setTimeout(r, 100));
  client.destroy();
  await monitor.stop();
  assert.deepEqual(text.split('\r\n'), [
    '07.12.26 18:03:41;RING;0;0301234567;home;home;',
    '07.12.26 18:03:41;CALL;1;0;home;0774940201;home;',
    '07.12.26 18:03:41;CONNECT;0;0;0301234567;',
    '07.12.26 18:03:41;DISCONNECT;0;25;',
    '07.12.26 18:03:41;RING;0;0301234567;home;home;',
    '',
  ]);
});
