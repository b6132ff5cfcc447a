/**
 * The `clients` section of hometel's config (src/app/config.ts): hometel's own Telephony Clients, their sources,
 * recordings, video and RTP port ranges, and every problem named.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultClientRtpPorts, validateConfig } from '../../src/app/config.js';

test('by default hometel runs one Telephony Client named tc, with a 440 Hz tone and no recordings', () => {
  assert.deepEqual(validateConfig({}).clients, [{ name: 'tc', friendlyName: 'tc client', source: { tone: 440 }, video: false, rtpPorts: { min: 30000, max: 30099 } }]);
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
  // Each comes back complete: the friendly name, silence, no video and the i-th default range where it names none.
  assert.deepEqual(validateConfig({ clients }).clients, [
    { ...clients[0], rtpPorts: { min: 30000, max: 30099 } },
    { name: 'pc', friendlyName: 'pc client', source: { wav: 'hello.wav', loop: true }, video: false, rtpPorts: { min: 30100, max: 30199 } },
    { name: 'kitchen', friendlyName: 'kitchen client', source: { wav: 'hello.wav', loop: false }, video: false, rtpPorts: { min: 40000, max: 40099 } },
    { name: 'quiet', friendlyName: 'quiet client', source: 'silence', video: false, rtpPorts: { min: 30300, max: 30399 } },
  ]);
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
  assert.match(problems('tc'), /clients: must be an array/);
  assert.match(problems([{ name: 'a b' }]), /clients\[0\]\.name: must be 1–32 letters/);
  assert.match(problems([{ name: 'a' }, { name: 'a' }]), /clients\[1\]\.name: "a" is used twice/);
  assert.match(problems([{ name: 'a', speaker: true }]), /clients\[0\]\.speaker: unknown field/);
  assert.match(problems([{ name: 'a', friendlyName: '' }]), /clients\[0\]\.friendlyName: must be a non-empty string/);
  assert.match(problems([{ name: 'a', recordDir: 3 }]), /clients\[0\]\.recordDir: must be a non-empty string/);
  assert.match(problems([{ name: 'a', video: 'yes' }]), /clients\[0\]\.video: must be true or false/);
  for (const source of [{ tone: 0 }, { tone: 4000 }, { tone: '440' }, { tone: 440, wav: 'x.wav' }, { wav: '' }, { wav: 'x.wav', loop: 'no' }, 'noise', null]) {
    assert.match(problems([{ name: 'a', source }]), /clients\[0\]\.source: must be "silence"/, JSON.stringify(source));
  }
  const badRanges: Array<[unknown, RegExp]> = [
    [{ min: 80, max: 200 }, /clients\[0\]\.rtpPorts\.min: must be ≥ 1024/],
    [{ min: 40000, max: 40002 }, /clients\[0\]\.rtpPorts: 40000–40002 must hold at least 2 RTP\/RTCP port pairs/],
    [{ min: 40000 }, /clients\[0\]\.rtpPorts\.max: is missing/],
    [{ min: 40000, max: 40099, step: 2 }, /clients\[0\]\.rtpPorts\.step: unknown field/],
    ['any', /clients\[0\]\.rtpPorts: must be an object \{min, max\}/],
  ];
  for (const [rtpPorts, problem] of badRanges) assert.match(problems([{ name: 'a', rtpPorts }]), problem, JSON.stringify(rtpPorts));
  assert.match(problems([{ name: 'a' }, { name: 'b', rtpPorts: { min: 30050, max: 30149 } }]), /clients\[1\]\.rtpPorts: 30050–30149 overlaps clients\[0\]\.rtpPorts 30000–30099/);
  const all = problems([{ name: 'a', video: 1 }, { name: 'b', source: 'x' }]);
  assert.match(all, /clients\[0\]\.video: must be true or false.*clients\[1\]\.source: must be/s, 'both problems in one message');
});
