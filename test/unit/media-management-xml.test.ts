/**
 * The mms fragments of MediaManagement:1 (src/telephony/contracts/media-management/mms-xml.ts): what we build
 * validates against hometel's schema for the printed shapes (test/fixtures/mms/mms-v1.xsd, xmllint) and
 * round-trips; the spec's own examples (test/fixtures/media-management/) parse, including as printed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildMediaSessionInfo,
  buildMediaSessionInfoList,
  buildMmsMediaCapabilityInfo,
  parseMediaSessionInfo,
  parseMediaSessionInfoList,
  parseMmsMediaCapabilityInfo,
  type MediaSessionInfo,
} from '../../src/telephony/contracts/media-management/index.js';
import { buildMediaCapabilityInfo } from '../../src/telephony/contracts/call-management/cams-xml.js';

const fixtures = fileURLToPath(new URL('../fixtures/media-management/', import.meta.url));
const mmsXsd = fileURLToPath(new URL('../fixtures/mms/mms-v1.xsd', import.meta.url));
const fixture = (name: string): string => readFileSync(join(fixtures, name), 'utf8');

// The schema checks need xmllint: never skipped, a missing one fails here with the fix.
test('xmllint is installed (Debian libxml2-utils; bash scripts/setup-peers.sh installs it)', () => {
  assert.equal(spawnSync('xmllint', ['--version']).status, 0, 'xmllint (libxml2-utils) is not installed');
});

/** xmllint --schema on a temp file; the stderr when the document does not validate. */
function schemaErrors(doc: string): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'mms-'));
  try {
    const file = join(dir, 'doc.xml');
    writeFileSync(file, doc);
    const r = spawnSync('xmllint', ['--noout', '--nonet', '--schema', mmsXsd, file], { encoding: 'utf8' });
    return r.status === 0 ? undefined : r.stderr;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function assertValid(doc: string): void {
  const errors = schemaErrors(doc);
  assert.equal(errors, undefined, errors);
}

const audio = 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 50000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\n';
const started: MediaSessionInfo = { mediaSessionID: 'media-1', mediaSessionStatus: 'Started', mediaCapability: { format: 'SDP', content: audio } };

const typedFixtures = [
  'c12-f2-supported-media-capability-info.xml',
  'c12-f21-ts-media-capability-info.xml',
  'c12-f22-tc-media-capability-info.xml',
  'c12-f25-media-session-info-started.xml',
  'c13-f9-media-session-info-stopped.xml',
  'c18-f2-media-session-info-list.xml',
  'c19-f19-ts-media-capability-info-video.xml',
  'c19-f20-tc-media-capability-info-video.xml',
];

test('mms-v1.xsd compiles, and every typed example of Appendix C validates against it', () => {
  const r = spawnSync('xmllint', ['--noout', mmsXsd], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  for (const name of typedFixtures) assert.equal(schemaErrors(fixture(name)), undefined, name);
});

test('MediaCapabilityInfo: built as the spec prints it, validates, and round-trips with CRLF SDP', () => {
  const doc = buildMmsMediaCapabilityInfo({ mediaCapability: { format: 'SDP', content: audio } });
  assert.ok(doc.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<mms:mediaCapabilityInfo xmlns:mms="urn:schemas-upnp-org:phone:mms"'));
  assert.match(doc, /xsi:schemaLocation="urn:schemas-upnp-org:phone:mms http:\/\/www\.upnp\.org\/schemas\/phone\/mms-v1\.xsd"/);
  assert.match(doc, /\n {2}<mediaCapability format="SDP">v=0&#13;\n/);
  assertValid(doc);
  assert.deepEqual(parseMmsMediaCapabilityInfo(doc), { ok: true, value: { mediaCapability: { format: 'SDP', content: audio } } });
  const empty = buildMmsMediaCapabilityInfo({});
  assertValid(empty);
  assert.deepEqual(parseMmsMediaCapabilityInfo(empty), { ok: true, value: {} });
});

test('MediaSessionInfo and MediaSessionInfoList: built, validated, round-tripped', () => {
  const one = buildMediaSessionInfo(started);
  assert.match(one, /<mms:mediaSessionInfo [^>]*>\n {2}<mediaSessionID>media-1<\/mediaSessionID>\n {2}<mediaSessionStatus>Started<\/mediaSessionStatus>\n {2}<mediaCapability format="SDP">/);
  assertValid(one);
  assert.deepEqual(parseMediaSessionInfo(one), { ok: true, value: started });
  const stopped: MediaSessionInfo = { mediaSessionID: 'media-2', mediaSessionStatus: 'Stopped' };
  const list = buildMediaSessionInfoList([started, stopped]);
  assertValid(list);
  assert.deepEqual(parseMediaSessionInfoList(list), { ok: true, value: [started, stopped] });
  const none = buildMediaSessionInfoList([]);
  assertValid(none);
  assert.deepEqual(parseMediaSessionInfoList(none), { ok: true, value: [] });
});

test('Appendix C examples: C.12 F2 / F21 / F22 capabilities parse, SDP given CRLF line ends back', () => {
  const f2 = parseMmsMediaCapabilityInfo(fixture('c12-f2-supported-media-capability-info.xml'));
  assert.ok(f2.ok, f2.ok ? '' : f2.reason);
  assert.equal(f2.value.mediaCapability?.format, 'SDP');
  const sdp = f2.value.mediaCapability.content;
  assert.ok(sdp.startsWith('v=0\r\no=- 0 0 IN IP4 192.168.1.21\r\n'));
  assert.match(sdp, /\r\nm=audio 11021 RTP\/AVP 0\r\n[\s\S]*\r\nm=video 12021 RTP\/AVP 96\r\n/);
  assert.ok(sdp.endsWith('a=framerate:30\r\n'));
  assert.doesNotMatch(sdp, /(^|[^\r])\n/, 'every line ends in CRLF');
  const f21 = parseMmsMediaCapabilityInfo(fixture('c12-f21-ts-media-capability-info.xml'));
  assert.ok(f21.ok);
  assert.match(f21.value.mediaCapability!.content, /m=audio 11001 RTP\/AVP 0\r\nc=IN IP4 192\.168\.1\.1\r\n/);
  const video = parseMmsMediaCapabilityInfo(fixture('c19-f19-ts-media-capability-info-video.xml'));
  assert.ok(video.ok);
  assert.match(video.value.mediaCapability!.content, /^m=video 12001 RTP\/AVP 96\r$/m);
});

test('Appendix C examples: the C.12 F25 and C.13 F9 events and the C.18 F2 list parse', () => {
  const f25 = parseMediaSessionInfo(fixture('c12-f25-media-session-info-started.xml'));
  assert.ok(f25.ok);
  assert.equal(f25.value.mediaSessionID, 'media101');
  assert.equal(f25.value.mediaSessionStatus, 'Started');
  assert.match(f25.value.mediaCapability!.content, /m=audio 11021/);
  const f9 = parseMediaSessionInfo(fixture('c13-f9-media-session-info-stopped.xml'));
  assert.ok(f9.ok);
  assert.equal(f9.value.mediaSessionStatus, 'Stopped');
  const list = parseMediaSessionInfoList(fixture('c18-f2-media-session-info-list.xml'));
  assert.ok(list.ok, list.ok ? '' : list.reason);
  assert.deepEqual(list.value.map((s) => [s.mediaSessionID, s.mediaSessionStatus]), [['media101', 'Started']]);
});

test('as printed: a root prefix declared nowhere, with the mms namespace bound to another prefix, is read as mms', () => {
  const printed = fixture('c12-f22-printed-undeclared-prefix.xml');
  assert.match(printed, /<mms:mediaCapabilityInfo/);
  assert.match(printed, /xmlns:cams="urn:schemas-upnp-org:phone:mms"/);
  assert.doesNotMatch(printed, /xmlns:mms=/);
  assert.notEqual(schemaErrors(printed), undefined, 'not namespace-well-formed: a strict reader refuses it');
  const r = parseMmsMediaCapabilityInfo(printed);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  assert.match(r.value.mediaCapability!.content, /^m=audio 11021 RTP\/AVP 0\r$/m);
  // The same quirk in the other fragments (C.18 F2 prints it with the list).
  const event = buildMediaSessionInfo(started).replace('xmlns:mms=', 'xmlns:cams=');
  assert.deepEqual(parseMediaSessionInfo(event), { ok: true, value: started });
  const list = buildMediaSessionInfoList([started]).replace('xmlns:mms=', 'xmlns:cams=');
  assert.deepEqual(parseMediaSessionInfoList(list), { ok: true, value: [started] });
});

test('the undeclared-prefix repair only applies to exactly that quirk', () => {
  // No mms namespace declared anywhere: an unbound prefix stays an error.
  const unbound = '<?xml version="1.0"?><mms:mediaCapabilityInfo><mediaCapability format="SDP">v=0</mediaCapability></mms:mediaCapabilityInfo>';
  assert.equal(parseMmsMediaCapabilityInfo(unbound).ok, false);
  // The mms namespace under a prefix, but the root's prefix is bound to something else: wrong namespace.
  const other = '<x:mediaCapabilityInfo xmlns:x="urn:example:other" xmlns:cams="urn:schemas-upnp-org:phone:mms"/>';
  assert.match((parseMmsMediaCapabilityInfo(other) as { reason: string }).reason, /namespace "urn:example:other"/);
  // A misspelt prefix with mismatched end tag (C.18 F2's `mss:` … `</mss:mediaSessionInfo>`) is still not well-formed.
  const mss = buildMediaSessionInfoList([started]).replace('<mms:mediaSessionInfoList xmlns:mms=', '<mss:mediaSessionInfoList xmlns:cams=').replace('</mms:mediaSessionInfoList>', '</mss:mediaSessionInfo>');
  assert.equal(parseMediaSessionInfoList(mss).ok, false);
});

test('lenient where the printed examples need it: no namespace, namespace with white space, the cams namespace, letter case', () => {
  const sdp = '\n        v=0\n        o=- 0 0 IN IP4 192.168.1.11\n        s=-\n        m=audio 11001 RTP/AVP 0\n    ';
  const noNs = `<mediaCapabilityInfo><mediaCapability format=" sdp ">${sdp}</mediaCapability></mediaCapabilityInfo>`;
  const r = parseMmsMediaCapabilityInfo(noNs);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  assert.deepEqual(r.value.mediaCapability, { format: 'SDP', content: 'v=0\r\no=- 0 0 IN IP4 192.168.1.11\r\ns=-\r\nm=audio 11001 RTP/AVP 0\r\n' });
  const spaced = '<m:mediaCapabilityInfo xmlns:m="urn:schemas-upnp-org:phone: mms"><MediaCapability>v=0</MediaCapability></m:mediaCapabilityInfo>';
  assert.deepEqual(parseMmsMediaCapabilityInfo(spaced), { ok: true, value: { mediaCapability: { content: 'v=0\r\n' } } });
  // A TelCP that passes on the TS's cams fragment: only <mediaCapability> is read.
  const cams = buildMediaCapabilityInfo({ enableMediaMixing: true, mediaCapability: { format: 'SDP', content: audio }, nativeMediaCapability: { format: 'SDP', content: audio } });
  assert.deepEqual(parseMmsMediaCapabilityInfo(cams), { ok: true, value: { mediaCapability: { format: 'SDP', content: audio } } });
  const status = buildMediaSessionInfo(started).replace('>Started<', '> "started" <');
  assert.deepEqual(parseMediaSessionInfo(status), { ok: true, value: started });
  const leading = `\uFEFF  \n${buildMediaSessionInfo(started)}`;
  assert.ok(parseMediaSessionInfo(leading).ok, 'BOM and white space before the declaration');
});

test('strict where a value would be meaningless; never throws', () => {
  const bad = (doc: string): string => {
    const r = parseMediaSessionInfo(doc);
    assert.equal(r.ok, false, doc);
    return (r as { reason: string }).reason;
  };
  assert.match(bad(buildMediaSessionInfo(started).replace('>Started<', '>Paused<')), /mediaSessionStatus "Paused"/);
  assert.match(bad(buildMediaSessionInfo(started).replace('<mediaSessionID>media-1</mediaSessionID>', '<mediaSessionID> </mediaSessionID>')), /empty/);
  assert.match(bad(buildMediaSessionInfo(started).replace(/<mediaSessionStatus>.*<\/mediaSessionStatus>/, '')), /no <mediaSessionStatus>/);
  assert.match(bad(buildMediaSessionInfo(started).replace('format="SDP"', 'format="H.245"')), /format/);
  assert.match(bad(buildMmsMediaCapabilityInfo({})), /is not <mediaSessionInfo>/);
  assert.match(bad('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]><mms:mediaSessionInfo xmlns:mms="urn:schemas-upnp-org:phone:mms"/>'), /DTD/);
  assert.match(bad(''), /empty/);
  assert.match(bad('<mms:mediaSessionInfo xmlns:mms="urn:schemas-upnp-org:phone:mms">'), /not well-formed/);
  assert.equal(parseMmsMediaCapabilityInfo(42 as unknown as string).ok, false);
  assert.match((parseMediaSessionInfoList(buildMediaSessionInfoList([started]).replace('>Started<', '>?<')) as { reason: string }).reason, /mediaSessionInfo\[0\]/);
});
