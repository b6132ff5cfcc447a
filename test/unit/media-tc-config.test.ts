/**
 * The `clients` section of hometel's config (src/app/config.ts): hometel's own Telephony Clients, their sources,
 * recordings, video and RTP port ranges, and every problem named.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultClientRtpPorts, validateConfig } from '../../src/app/config.js';

test('by default hometel runs one Telephony Client named tc, with a 440 Hz tone and no recordings', () => {
  assert.deepEqual(validateConfig({}).clients, [{ name: 'tc', source: { tone: 440 } }]);
  assert.deepEqual(validateConfig({ clients: [] }).clients, []);
  assert.deepEqual(defaultClientRtpPorts(0), { min: 30000, max: 30099 });
  assert.deepEqual(defaultClientRtpPorts(2), { min: 30200, max: 30299 });
});

test('every kind of source, a recording directory, video and a port range are accepted', () => {
  const clients = [
    { name: 'tv', friendlyName: 'Living room TV', source: { tone: 440 }, recordDir: '/tmp/rec', video: true },
    { name: 'pc', source: { wav: 'hello.wav', loop: true } },
    { name: 'kitchen', source: { wav: 'hello.wav' }, rtpPorts: { min: 40000, max: 40099 } },
    { name: 'quiet', source: 'silence', video: false },
  ];
  assert.deepEqual(validateConfig({ clients }).clients, clients);
});

test('bad clients: each problem is named', () => {
  const problems = (clients: unknown): string => {
    try {
      validateConfig({ clients });
    } catch (e) {
      return (e as Error).message;
    }
    return '';
  };
  assert.match(problems('tc'), /"clients" must be an array/);
  assert.match(problems([{ name: 'a b' }]), /clients\[0\]\.name" must be 1–32 letters/);
  assert.match(problems([{ name: 'a' }, { name: 'a' }]), /used twice/);
  assert.match(problems([{ name: 'a', speaker: true }]), /unknown field "speaker"/);
  assert.match(problems([{ name: 'a', friendlyName: '' }]), /friendlyName" must be a non-empty string/);
  assert.match(problems([{ name: 'a', recordDir: 3 }]), /recordDir" must be a non-empty string/);
  assert.match(problems([{ name: 'a', video: 'yes' }]), /video" must be true or false/);
  for (const source of [{ tone: 0 }, { tone: 4000 }, { tone: '440' }, { tone: 440, wav: 'x.wav' }, { wav: '' }, { wav: 'x.wav', loop: 'no' }, 'noise', null]) {
    assert.match(problems([{ name: 'a', source }]), /source" must be "silence"/, JSON.stringify(source));
  }
  for (const rtpPorts of [{ min: 80, max: 200 }, { min: 40000, max: 40002 }, { min: 40000 }, { min: 40000, max: 40099, step: 2 }, 'any']) {
    assert.match(problems([{ name: 'a', rtpPorts }]), /rtpPorts" must be/, JSON.stringify(rtpPorts));
  }
  assert.match(problems([{ name: 'a' }, { name: 'b', rtpPorts: { min: 30050, max: 30149 } }]), /clients\[0\]" and "clients\[1\]" have overlapping rtpPorts/);
  const all = problems([{ name: 'a', video: 1 }, { name: 'b', source: 'x' }]);
  assert.match(all, /video.*source/s, 'both problems in one message');
});
