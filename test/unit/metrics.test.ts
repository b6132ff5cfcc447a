/**
 * HometelMetrics with its sources faked: every family is in the text with HELP and TYPE, promtool accepts it, each
 * counter and gauge follows its source, and no input — whatever a peer sends — adds label values beyond fixed sets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HometelMetrics, type EndedCall, type RtpPacketTotals, type SipTransactionOutcome } from '../../src/metrics/index.js';
import { callOutcomes } from '../../src/telephony/domain/index.js';
import { promtoolCheck, sample, samples } from '../support/prometheus.js';

class FakeServer {
  activeCalls = 0;
  private readonly listeners: Array<(c: EndedCall) => void> = [];
  onCallEnded(l: (c: EndedCall) => void): void {
    this.listeners.push(l);
  }
  end(c: EndedCall): void {
    for (const l of this.listeners) l(c);
  }
}

class FakeSip {
  private readonly listeners: Array<(o: SipTransactionOutcome) => void> = [];
  onTransactionOutcome(l: (o: SipTransactionOutcome) => void): void {
    this.listeners.push(l);
  }
  report(o: SipTransactionOutcome): void {
    for (const l of this.listeners) l(o);
  }
}

function rig() {
  const metrics = new HometelMetrics({ callOutcomes });
  const home = new FakeServer();
  const office = new FakeServer();
  const sip = new FakeSip();
  const rtp: { totals: RtpPacketTotals } = { totals: { relayed: 0, foreign: 0, malformed: 0, unroutable: 0 } };
  const gena = new Map<string, number>();
  const webRtc = { counters: { sessions: 0, packetsToBrowser: 0, packetsFromBrowser: 0, dropped: 0 } };
  metrics.addCallSource('home', home);
  metrics.addCallSource('office', office);
  metrics.addSipSource(sip);
  metrics.addRtpSource({ packetTotals: () => rtp.totals });
  metrics.addRtpSource({ packetTotals: () => ({ relayed: 5, foreign: 1, malformed: 0, unroutable: 0 }) });
  metrics.addGenaSource({ subscribersByService: () => gena });
  metrics.addWebRtcSource(webRtc);
  return { metrics, home, office, sip, rtp, gena, webRtc };
}

const families: ReadonlyArray<readonly [string, string]> = [
  ['hometel_calls_total', 'counter'],
  ['hometel_active_calls', 'gauge'],
  ['hometel_rtp_packets_relayed_total', 'counter'],
  ['hometel_rtp_packets_dropped_total', 'counter'],
  ['hometel_sip_transactions_total', 'counter'],
  ['hometel_gena_subscribers', 'gauge'],
  ['hometel_webrtc_sessions', 'gauge'],
  ['hometel_webrtc_packets_relayed_total', 'counter'],
  ['hometel_webrtc_packets_dropped_total', 'counter'],
  ['hometel_http_requests_total', 'counter'],
  ['hometel_http_request_duration_seconds', 'histogram'],
  ['process_cpu_seconds_total', 'counter'],
  ['process_resident_memory_bytes', 'gauge'],
  ['nodejs_eventloop_lag_seconds', 'gauge'],
];

test('the text has every family with HELP and TYPE, in the Prometheus format promtool accepts without a lint remark', async () => {
  const { metrics, home, sip, gena } = rig();
  home.end({ direction: 'incoming', outcome: 'answered' });
  sip.report({ role: 'server', method: 'INVITE', result: 200 });
  gena.set('urn:upnp-org:serviceId:CallManagement', 2);
  metrics.httpRequest('/api/calls/:id', 'GET', 200, 0.012);
  const text = await metrics.text();
  for (const [name, type] of families) {
    assert.match(text, new RegExp(`^# HELP ${name} \\S`, 'm'), `${name} has HELP`);
    assert.match(text, new RegExp(`^# TYPE ${name} ${type}$`, 'm'), `${name} is a ${type}`);
  }
  assert.equal(metrics.contentType, 'text/plain; version=0.0.4; charset=utf-8');
  const checked = await promtoolCheck(text);
  assert.deepEqual(checked, { code: 0, output: '' }, `promtool check metrics:\n${checked.output}`);
});

test('counters and gauges follow their sources: ended calls, active calls per line, SIP results, RTP totals, GENA subscribers, WebRTC, HTTP requests', async () => {
  const { metrics, home, office, sip, rtp, gena, webRtc } = rig();
  let text = await metrics.text();
  for (const direction of ['incoming', 'outgoing']) {
    for (const outcome of callOutcomes) assert.equal(sample(text, 'hometel_calls_total', { direction, outcome }), 0, `${direction} ${outcome} starts at 0`);
  }
  assert.equal(sample(text, 'hometel_active_calls', { line: 'home' }), 0);
  assert.equal(sample(text, 'hometel_rtp_packets_relayed_total'), 5);

  home.activeCalls = 1;
  office.activeCalls = 2;
  home.end({ direction: 'outgoing', outcome: 'answered' });
  office.end({ direction: 'outgoing', outcome: 'answered' });
  home.end({ direction: 'incoming', outcome: 'busy' });
  sip.report({ role: 'client', method: 'INVITE', result: 486 });
  sip.report({ role: 'client', method: 'invite', result: 404 });
  sip.report({ role: 'client', method: 'BYE', result: 'timeout' });
  sip.report({ role: 'server', method: 'OPTIONS', result: 200 });
  rtp.totals = { relayed: 1000, foreign: 3, malformed: 2, unroutable: 1 };
  gena.set('urn:upnp-org:serviceId:CallManagement', 3);
  const browser = new Map([['urn:upnp-org:serviceId:MediaManagement', 1]]);
  const removeBrowser = metrics.addGenaSource({ subscribersByService: () => browser });
  webRtc.counters = { sessions: 2, packetsToBrowser: 300, packetsFromBrowser: 290, dropped: 4 };
  metrics.httpRequest('/api/calls', 'POST', 201, 0.05);
  metrics.httpRequest('/api/calls', 'POST', 201, 2);
  text = await metrics.text();
  assert.equal(sample(text, 'hometel_calls_total', { direction: 'outgoing', outcome: 'answered' }), 2);
  assert.equal(sample(text, 'hometel_calls_total', { direction: 'incoming', outcome: 'busy' }), 1);
  assert.equal(sample(text, 'hometel_calls_total'), 3);
  assert.deepEqual(samples(text, 'hometel_active_calls'), [
    { labels: { line: 'home' }, value: 1 },
    { labels: { line: 'office' }, value: 2 },
  ]);
  assert.equal(sample(text, 'hometel_sip_transactions_total', { role: 'client', method: 'INVITE', class: '4xx' }), 2);
  assert.equal(sample(text, 'hometel_sip_transactions_total', { role: 'client', method: 'BYE', class: 'timeout' }), 1);
  assert.equal(sample(text, 'hometel_sip_transactions_total', { role: 'server', method: 'OPTIONS', class: '2xx' }), 1);
  assert.equal(sample(text, 'hometel_rtp_packets_relayed_total'), 1005, 'the relays are summed');
  assert.deepEqual(
    samples(text, 'hometel_rtp_packets_dropped_total').map((s) => [s.labels.reason, s.value]),
    [['foreign', 4], ['malformed', 2], ['unroutable', 1]],
  );
  assert.equal(sample(text, 'hometel_gena_subscribers', { service: 'urn:upnp-org:serviceId:CallManagement' }), 3);
  assert.equal(sample(text, 'hometel_gena_subscribers', { service: 'urn:upnp-org:serviceId:MediaManagement' }), 1);
  assert.equal(sample(text, 'hometel_webrtc_sessions'), 2);
  assert.equal(sample(text, 'hometel_webrtc_packets_relayed_total', { direction: 'to-browser' }), 300);
  assert.equal(sample(text, 'hometel_webrtc_packets_relayed_total', { direction: 'from-browser' }), 290);
  assert.equal(sample(text, 'hometel_webrtc_packets_dropped_total'), 4);
  assert.equal(sample(text, 'hometel_http_requests_total', { route: '/api/calls', method: 'POST', status: '201' }), 2);
  assert.equal(sample(text, 'hometel_http_request_duration_seconds_count', { route: '/api/calls', method: 'POST' }), 2);
  assert.equal(sample(text, 'hometel_http_request_duration_seconds_bucket', { route: '/api/calls', method: 'POST', le: '0.1' }), 1);

  home.activeCalls = 0;
  gena.clear();
  removeBrowser();
  text = await metrics.text();
  assert.equal(sample(text, 'hometel_active_calls', { line: 'home' }), 0);
  assert.equal(sample(text, 'hometel_gena_subscribers'), undefined, 'no subscriber, no series');
});

test('label values stay in fixed sets: unknown SIP and HTTP methods, odd statuses and outcomes each add one value at most', async () => {
  const { metrics, home, sip } = rig();
  for (let i = 0; i < 500; i++) {
    sip.report({ role: 'server', method: `X-METHOD-${i}`, result: 200 + 2 * i });
    metrics.httpRequest('/api/unknown', `METHOD${i}`, 1000 + i, 0.001);
    home.end({ direction: 'incoming', outcome: `reason ${i}` });
  }
  const text = await metrics.text();
  const sipSeries = samples(text, 'hometel_sip_transactions_total');
  assert.deepEqual(new Set(sipSeries.map((s) => s.labels.method)), new Set(['other']));
  assert.deepEqual(new Set(sipSeries.map((s) => s.labels.class)), new Set(['2xx', '3xx', '4xx', '5xx', '6xx', 'other']));
  assert.equal(sample(text, 'hometel_sip_transactions_total'), 500);
  assert.deepEqual(samples(text, 'hometel_http_requests_total'), [{ labels: { route: '/api/unknown', method: 'other', status: 'other' }, value: 500 }]);
  assert.deepEqual(
    samples(text, 'hometel_calls_total').filter((s) => !(callOutcomes as readonly string[]).includes(s.labels.outcome!)),
    [{ labels: { direction: 'incoming', outcome: 'other' }, value: 500 }],
  );
});

test('two hubs in one process keep their own figures (a registry each, not the global one)', async () => {
  const a = new HometelMetrics({ callOutcomes, processMetrics: false });
  const b = new HometelMetrics({ callOutcomes, processMetrics: false });
  a.callEnded('outgoing', 'answered');
  assert.equal(sample(await a.text(), 'hometel_calls_total', { direction: 'outgoing', outcome: 'answered' }), 1);
  assert.equal(sample(await b.text(), 'hometel_calls_total', { direction: 'outgoing', outcome: 'answered' }), 0);
  assert.doesNotMatch(await b.text(), /^process_/m, 'process metrics only when asked');
});

test("a browser's WebRTC source that goes (its page closed) leaves its packet counts in the totals; its sessions leave the gauge", async () => {
  const { metrics, webRtc } = rig();
  webRtc.counters = { sessions: 1, packetsToBrowser: 10, packetsFromBrowser: 9, dropped: 1 };
  const other = { counters: { sessions: 2, packetsToBrowser: 100, packetsFromBrowser: 90, dropped: 0 } };
  const remove = metrics.addWebRtcSource(other);
  let text = await metrics.text();
  assert.equal(sample(text, 'hometel_webrtc_sessions'), 3);
  assert.equal(sample(text, 'hometel_webrtc_packets_relayed_total', { direction: 'to-browser' }), 110);
  other.counters = { sessions: 0, packetsToBrowser: 120, packetsFromBrowser: 95, dropped: 2 };
  remove();
  remove();
  text = await metrics.text();
  assert.equal(sample(text, 'hometel_webrtc_sessions'), 1);
  assert.equal(sample(text, 'hometel_webrtc_packets_relayed_total', { direction: 'to-browser' }), 130);
  assert.equal(sample(text, 'hometel_webrtc_packets_relayed_total', { direction: 'from-browser' }), 104);
  assert.equal(sample(text, 'hometel_webrtc_packets_dropped_total'), 3);
});
