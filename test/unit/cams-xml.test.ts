/**
 * The cams XML fragments of CallManagement:1 (section 2.4, Appendices A and B): every built document
 * validates against the schema (xmllint), round-trips, and the spec's own examples parse as printed.
 */
import { normalizeSdp } from '../../src/media/sdp/index.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildCallBackAvailability,
  buildCallBackInfoList,
  buildCallInfo,
  buildCallInfoList,
  buildCallLogs,
  buildGeneralCallInfo,
  buildMediaCapabilityInfo,
  buildPeer,
  buildSupportedMediaCapabilityInfo,
  buildTCList,
  buildTelCPNameList,
  parseCallBackAvailability,
  parseCallBackInfoList,
  parseCallInfo,
  parseCallInfoList,
  parseCallLogs,
  parseMediaCapabilityInfo,
  parsePeer,
  parseSupportedMediaCapabilityInfo,
  parseTCList,
  parseTelCPNameList,
  toGeneralCallInfo,
  validateCallInfo,
  validateCallLogs,
  validateTelCPNameList,
} from '../../src/telephony/contracts/call-management/cams-xml.js';
import type { CamsParseResult } from '../../src/telephony/contracts/call-management/cams-xml.js';
import { camsNamespace, peerNamespace } from '../../src/telephony/contracts/call-management/cams-types.js';
import type {
  DisconnectReason,
  CallBackAvailability,
  CallBackInfoList,
  CallInfo,
  CallLogs,
  MediaCapabilityInfo,
  Peer,
  SupportedMediaCapabilityInfo,
  TCList,
} from '../../src/telephony/contracts/call-management/cams-types.js';
import { parseXml, childElements } from '../../src/upnp/xml/safe-xml.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'cams');
const camsXsd = join(fixtures, 'cams-v1.xsd');
const peerDocumentXsd = join(fixtures, 'peer-document.xsd');
const fixture = (name: string): string => readFileSync(join(fixtures, name), 'utf8');

// The schema checks need xmllint: never skipped, a missing one fails here with the fix.
test('xmllint is installed (Debian libxml2-utils; bash scripts/setup-peers.sh installs it)', () => {
  assert.equal(spawnSync('xmllint', ['--version']).status, 0, 'xmllint (libxml2-utils) is not installed');
});

/** xmllint --noout --schema on a temp file; the stderr when it does not validate. */
function schemaErrors(doc: string, schema = camsXsd): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'cams-'));
  try {
    const file = join(dir, 'doc.xml');
    writeFileSync(file, doc);
    const r = spawnSync('xmllint', ['--noout', '--nonet', '--schema', schema, file], { encoding: 'utf8' });
    return r.status === 0 ? undefined : `${r.stderr}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function assertValid(doc: string, schema = camsXsd): void {
  const errors = schemaErrors(doc, schema);
  assert.equal(errors, undefined, `document does not validate:\n${errors}\n${doc}`);
}

function value<T>(r: CamsParseResult<T>): T {
  if (!r.ok) assert.fail(`expected ok, got: ${r.reason}`);
  return r.value;
}

function refused<T>(r: CamsParseResult<T>, pattern?: RegExp): string {
  assert.equal(r.ok, false, `expected ok:false, got ${JSON.stringify(r)}`);
  const reason = r.ok ? '' : r.reason;
  assert.ok(reason.length > 0, 'a refusal carries a reason');
  if (pattern) assert.match(reason, pattern);
  return reason;
}

/** Local names of the root's children, in order. */
function childNames(doc: string): string[] {
  const r = parseXml(doc);
  assert.ok(r.ok);
  return childElements(r.doc.documentElement!).map((e) => e.localName ?? '');
}

const audioSdp =
  'v=0\r\no=- 0 0 IN IP4 192.168.1.1\r\ns=-\r\nc=IN IP4 192.168.1.1\r\nt=0 0\r\n' +
  'm=audio 11001 RTP/AVP 0\r\nc=IN IP4 192.168.1.1\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\n';
const audioVideoSdp =
  audioSdp +
  'm=video 12001 RTP/AVP 96\r\nc=IN IP4 192.168.1.1\r\nb=AS:2500\r\na=rtpmap:96 MP4V-ES/90000\r\n' +
  'a=fmtp:96 profile-level-id=4;config=000001b004000001b50900000100000001200086c40fa28a021e0a21\r\na=framerate:30\r\n';

const fullCallInfo: CallInfo = {
  callID: 'call101',
  targetNames: { type: 'TelCPName', names: ['TV@Living', "Alice's TV"] },
  callStatus: 'Talking',
  reason: 'Accepted by TS',
  priority: 'Normal',
  remoteParty: { id: '0774940201', name: 'Alice & Bob <home>' },
  tcList: [
    { udn: 'uuid:97ef6efa-ac89-4ea2-0001-udn101', mediaSessionID: 'media101' },
    { udn: 'uuid:97ef6efa-ac89-4ea2-0001-udn102', mediaSessionID: 'media102' },
  ],
  enableMediaMixing: true,
  mediaCapability: { format: 'SDP', content: audioVideoSdp },
  nativeMediaCapability: { format: 'SDP', content: audioSdp },
};

test('CallManagement Appendix A/B: the fixture schemas compile with xmllint', () => {
  for (const xsd of ['cams-v1.xsd', 'peer-v1.xsd', 'peer-document.xsd']) {
    const r = spawnSync('xmllint', ['--noout', join(fixtures, xsd)], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }
  // A schema that does not compile makes xmllint fail on any instance; this one validates.
  assertValid(fixture('c12-f29-tclist.xml'));
});

test('CallManagement 2.4.2: a full CallInfo round-trips, in schema order, and validates against cams-v1.xsd', () => {
  const doc = buildCallInfo(fullCallInfo);
  assert.ok(doc.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<cams:callInfo '));
  assert.ok(doc.includes(`xmlns:cams="${camsNamespace}"`) && doc.includes(`xmlns:peer="${peerNamespace}"`));
  assertValid(doc);
  assert.deepEqual(childNames(doc), [
    'callID',
    'targetNames',
    'callStatus',
    'priority',
    'remoteParty',
    'TCList',
    'enableMediaMixing',
    'mediaCapability',
    'nativeMediaCapability',
  ]);
  assert.ok(doc.includes('<targetNames type="TelCPName">TV@Living,Alice&apos;s TV</targetNames>'));
  assert.ok(doc.includes('<callStatus reason="Accepted by TS">Talking</callStatus>'));
  assert.ok(doc.includes('<peer:id>0774940201</peer:id>'));
  assert.deepEqual(value(parseCallInfo(doc)), fullCallInfo);

  const sharing: CallInfo = { ...fullCallInfo, enableMediaMixing: undefined, shareMedia: 'media101' };
  delete sharing.enableMediaMixing;
  const sharingDoc = buildCallInfo(sharing);
  assertValid(sharingDoc);
  assert.deepEqual(value(parseCallInfo(sharingDoc)), sharing);
});

test('CallManagement 2.4.2.2: "*" targetNames, every Call Status and every reason with its status validate', () => {
  const statuses = [
    'Ringing',
    'Dialing',
    'Calling',
    'Connected',
    'Talking',
    'Disconnected',
    'SendingModifyRequest',
    'ReceivingModifyRequest',
    'Modified',
    'ModifyFailed',
  ] as const;
  for (const callStatus of statuses) {
    const ci: CallInfo = { callID: 'c', targetNames: { type: 'TelCPName', names: '*' }, callStatus };
    const doc = buildCallInfo(ci);
    assertValid(doc);
    assert.deepEqual(value(parseCallInfo(doc)), ci);
  }
  const pairs = [
    ['Accepted by TS', 'Talking'],
    ['Initiated by TS', 'Talking'],
    ['Busy', 'Disconnected'],
    ['Not Acceptable Capability', 'Disconnected'],
    ['Not Found', 'Disconnected'],
    ['Rejected by TS', 'Disconnected'],
    ['Rejected', 'Disconnected'],
    ['Rejected', 'ModifyFailed'],
    ['Cancelled', 'Disconnected'],
    ['Cancelled', 'ModifyFailed'],
  ] as const;
  for (const [reason, callStatus] of pairs) {
    const ci: CallInfo = { callID: 'c', targetNames: { type: 'Username', names: ['alice'] }, callStatus, reason };
    const doc = buildCallInfo(ci);
    assertValid(doc);
    assert.deepEqual(value(parseCallInfo(doc)), ci);
  }
});

test('CallManagement 2.3.3/2.4.2.2: the general view carries exactly callID, targetNames and callStatus', () => {
  for (const doc of [buildCallInfo(fullCallInfo, { view: 'general' }), buildGeneralCallInfo(fullCallInfo)]) {
    assertValid(doc);
    assert.deepEqual(childNames(doc), ['callID', 'targetNames', 'callStatus']);
    assert.ok(!doc.includes('0774940201') && !doc.includes('media101') && !doc.includes('v=0'), 'no private data');
    assert.deepEqual(value(parseCallInfo(doc)), {
      callID: 'call101',
      targetNames: fullCallInfo.targetNames,
      callStatus: 'Talking',
      reason: 'Accepted by TS',
    });
  }
  assert.deepEqual(toGeneralCallInfo(fullCallInfo), {
    callID: 'call101',
    targetNames: fullCallInfo.targetNames,
    callStatus: 'Talking',
    reason: 'Accepted by TS',
  });
  assert.equal(buildCallInfo(fullCallInfo, { view: 'full' }), buildCallInfo(fullCallInfo));
});

test('CallManagement 2.4.17: a CallInfoList of full and general entries round-trips and validates', () => {
  const list = [fullCallInfo, toGeneralCallInfo({ ...fullCallInfo, callID: 'call102', callStatus: 'Ringing', reason: undefined })];
  delete list[1]!.reason;
  const doc = buildCallInfoList(list);
  assertValid(doc);
  assert.deepEqual(value(parseCallInfoList(doc)), list);
  const general = buildCallInfoList(list, { view: 'general' });
  assertValid(general);
  assert.deepEqual(value(parseCallInfoList(general)), list.map(toGeneralCallInfo));
  const empty = buildCallInfoList([]);
  assertValid(empty);
  assert.deepEqual(value(parseCallInfoList(empty)), []);
});

test('CallManagement 2.4.16: a TCList round-trips and validates', () => {
  const list: TCList = [
    { udn: 'uuid:97ef6efa-ac89-4ea2-0001-udn101', mediaSessionID: 'media101' },
    { mediaSessionID: 'media102' },
  ];
  const doc = buildTCList(list);
  assertValid(doc);
  assert.ok(!doc.includes('xmlns:peer'), 'TCList declares only the cams namespace');
  assert.deepEqual(value(parseTCList(doc)), list);
  const empty = buildTCList([]);
  assertValid(empty);
  assert.deepEqual(value(parseTCList(empty)), []);
});

test('CallManagement 2.4.9: a MediaCapabilityInfo round-trips and validates', () => {
  const infos: MediaCapabilityInfo[] = [
    { mediaCapability: { format: 'SDP', content: audioSdp } },
    { enableMediaMixing: false, mediaCapability: { format: 'SDP', content: audioVideoSdp } },
    { shareMedia: 'media101', nativeMediaCapability: { format: 'SDP', content: audioSdp } },
    { mediaCapability: { content: audioSdp } },
    {},
  ];
  for (const info of infos) {
    const doc = buildMediaCapabilityInfo(info);
    assertValid(doc);
    assert.deepEqual(value(parseMediaCapabilityInfo(doc)), info);
  }
});

test('CallManagement 2.4.9.2/2.6.6: SupportedMediaCapabilityInfo carries mediaMixing/SharingCapability', () => {
  const info: SupportedMediaCapabilityInfo = {
    mediaMixingCapability: true,
    mediaSharingCapability: true,
    mediaCapability: { format: 'SDP', content: audioVideoSdp },
    nativeMediaCapability: { format: 'SDP', content: audioSdp },
  };
  const doc = buildSupportedMediaCapabilityInfo(info);
  assertValid(doc);
  assert.deepEqual(childNames(doc), ['mediaMixingCapability', 'mediaSharingCapability', 'mediaCapability', 'nativeMediaCapability']);
  assert.deepEqual(value(parseSupportedMediaCapabilityInfo(doc)), info);
  // The flags exist only in GetMediaCapabilities' output: the plain MediaCapabilityInfo reading ignores them.
  assert.deepEqual(value(parseMediaCapabilityInfo(doc)), {
    mediaCapability: info.mediaCapability,
    nativeMediaCapability: info.nativeMediaCapability,
  });
  const none: SupportedMediaCapabilityInfo = { mediaCapability: { format: 'SDP', content: audioSdp } };
  assertValid(buildSupportedMediaCapabilityInfo(none));
  assert.deepEqual(value(parseSupportedMediaCapabilityInfo(buildSupportedMediaCapabilityInfo(none))), none);
});

test('CallManagement 2.4.18: CallLogs round-trip and validate', () => {
  const logs: CallLogs = [
    {
      direction: 'outgoing',
      success: true,
      type: 'audio',
      caller: [{ id: 'tel:0355550101', name: 'Home' }],
      callee: [{ id: 'tel:0774940201', name: 'Alice', contactInstanceId: 7 }],
      startDateTime: '2011-03-22T10:15:30Z',
      durationMs: 65000,
    },
    {
      direction: 'incoming',
      success: false,
      type: 'video',
      caller: [{ id: 'anonymous' }],
      callee: [{ id: 'tel:0355550101', groupInstanceId: 0 }, { id: 'sip:bob@example.org' }],
      startDateTime: '2011-03-22T11:00:00.250+09:00',
    },
    { type: 'data', caller: [{ id: 'a' }], callee: [{ id: 'b' }], startDateTime: '20110322T120000Z' },
  ];
  const doc = buildCallLogs(logs);
  assertValid(doc);
  assert.ok(doc.includes('<call direction="outgoing" success="true">'));
  assert.ok(doc.includes('<startDateTime>2011-03-22T10:15:30Z</startDateTime>'));
  assert.deepEqual(value(parseCallLogs(doc)), logs);
  assertValid(buildCallLogs([]));
  assert.deepEqual(value(parseCallLogs(buildCallLogs([]))), []);
});

test('CallManagement 2.4.20: a CallBackInfoList round-trips and validates', () => {
  const list: CallBackInfoList = [
    { callBackID: 'callback301', callee: [{ id: 'tel:0774940201' }] },
    { callBackID: 'callback302', callee: [{ id: 'sip:bob@example.org', name: 'Bob' }] },
  ];
  const doc = buildCallBackInfoList(list);
  assertValid(doc);
  assert.deepEqual(value(parseCallBackInfoList(doc)), list);
  assert.deepEqual(value(parseCallBackInfoList(buildCallBackInfoList([]))), []);
});

test('CallManagement 2.4.4: CallBackAvailability round-trips and validates', () => {
  const a: CallBackAvailability = { callBackIDs: ['callback301', 'callback302'] };
  const doc = buildCallBackAvailability(a);
  assertValid(doc);
  assert.ok(doc.includes('<cams:CallBackAvailability '));
  assert.deepEqual(value(parseCallBackAvailability(doc)), a);
});

test('CallManagement Appendix A: a Peer document round-trips and validates against peerType', () => {
  const peers: Peer[] = [
    { id: 'tel:0774940201' },
    { id: 'sip:alice@example.org', name: 'Alice', contactInstanceId: 4294967295 },
    { id: 'group:family', groupInstanceId: 3 },
  ];
  for (const p of peers) {
    const doc = buildPeer(p);
    assertValid(doc, peerDocumentXsd);
    assert.deepEqual(value(parsePeer(doc)), p);
  }
});

test('CallManagement Table 2-5: DisconnectReason is the reasons that go with "Disconnected"', () => {
  const reasons: DisconnectReason[] = ['Busy', 'Not Acceptable Capability', 'Not Found', 'Rejected by TS', 'Rejected', 'Cancelled'];
  // @ts-expect-error "Accepted by TS" goes with Talking only
  const talking: DisconnectReason = 'Accepted by TS';
  assert.equal(reasons.length + (talking ? 0 : 1), 6);
});

test('CallManagement 2.4.3/2.4.7: TelCPNameList is comma separated; "a, b" as printed in C.10 parses', () => {
  assert.equal(buildTelCPNameList(['TV@Living', "Alice's TV"]), "TV@Living,Alice's TV");
  assert.deepEqual(value(parseTelCPNameList("TV@Living, Alice's TV")), ['TV@Living', "Alice's TV"]);
  assert.deepEqual(value(parseTelCPNameList('')), []);
  assert.deepEqual(validateTelCPNameList(['a,b']).length, 1);
});

test('CallManagement Table 2-7 (SDP): CRLF line ends survive build → parse', () => {
  const doc = buildMediaCapabilityInfo({ mediaCapability: { format: 'SDP', content: audioVideoSdp } });
  assert.ok(doc.includes('v=0&#13;\no=- 0 0'), 'CR written as a character reference');
  assert.ok(!doc.includes('\r'), 'no raw CR in the document');
  const back = value(parseMediaCapabilityInfo(doc)).mediaCapability!.content;
  assert.equal(back, audioVideoSdp);
  assert.equal(back.split('\r\n').length - 1, audioVideoSdp.split('\n').length - 1);

  // Through a parser that does not keep the reference (or a sender that wrote LF): CRLF is restored.
  const lfOnly = doc.replaceAll('&#13;', '');
  assert.equal(value(parseMediaCapabilityInfo(lfOnly)).mediaCapability!.content, audioVideoSdp);
  // Raw CRLF in the document is normalised to LF by XML itself (XML 1.0 2.11); restored as well.
  const rawCrlf = doc.replaceAll('&#13;\n', '\r\n');
  assert.equal(value(parseMediaCapabilityInfo(rawCrlf)).mediaCapability!.content, audioVideoSdp);
  // Inside a CallInfo too.
  assert.equal(value(parseCallInfo(buildCallInfo(fullCallInfo).replaceAll('&#13;', ''))).mediaCapability!.content, audioVideoSdp);
  assert.equal(normalizeSdp('  v=0\n  o=- 0 0 IN IP4 h\n\n'), 'v=0\r\no=- 0 0 IN IP4 h\r\n');
});

test('CallManagement 2.4.2: values with markup characters are escaped and come back unchanged', () => {
  const ci: CallInfo = {
    callID: 'a<b>&"c\'',
    targetNames: { type: 'TelCPName', names: ['<tv>&"living"'] },
    callStatus: 'Ringing',
    remoteParty: { id: 'sip:"x"@y&z', name: '<script>' },
    shareMedia: ']]>',
  };
  const doc = buildCallInfo(ci);
  assertValid(doc);
  assert.deepEqual(value(parseCallInfo(doc)), ci);
});

// ---- the spec's examples, typed from Appendix C and section 2.4 with their printed quirks ----

test('CallManagement C.13 F5: the printed full CallInfo event parses', () => {
  const text = fixture('c13-f5-callinfo-full.xml');
  assertValid(text);
  const ci = value(parseCallInfo(text));
  assert.equal(ci.callID, 'call101');
  assert.deepEqual(ci.targetNames, { type: 'TelCPName', names: '*' });
  assert.equal(ci.callStatus, 'Disconnected');
  assert.equal(ci.priority, 'Normal');
  assert.deepEqual(ci.remoteParty, { id: '0774940201' });
  assert.deepEqual(ci.tcList, [{ udn: 'uuid:97ef6efa-ac89-4ea2-0001-udn101', mediaSessionID: 'media101' }]);
  assert.deepEqual(ci.mediaCapability, { format: 'SDP', content: audioSdp }, 'printed LF + indentation → CRLF SDP');
  // What we build from it validates and reads back the same.
  const rebuilt = buildCallInfo(ci);
  assertValid(rebuilt);
  assert.deepEqual(value(parseCallInfo(rebuilt)), ci);
});

test('CallManagement C.14: a Disconnected CallInfo with reason "Busy" parses', () => {
  const ci = value(parseCallInfo(fixture('c14-callinfo-reason.xml')));
  assert.equal(ci.callStatus, 'Disconnected');
  assert.equal(ci.reason, 'Busy');
});

test('CallManagement C.30 F11 (2.6.7.3): the general CallInfo of a Monopolization Mode Call parses', () => {
  const ci = value(parseCallInfo(fixture('c30-f11-callinfo-general.xml')));
  assert.deepEqual(ci, { callID: 'call101', targetNames: { type: 'TelCPName', names: ['TV @Living'] }, callStatus: 'Calling' });
});

test("CallManagement C.19 F9': empty targetNames, \"calling\" in lower case and SDP without final newline parse", () => {
  const ci = value(parseCallInfo(fixture('c19-f9p-callinfo-quirks.xml')));
  assert.deepEqual(ci.targetNames, { type: 'TelCPName', names: [] });
  assert.equal(ci.callStatus, 'Calling');
  const sdp = ci.mediaCapability!.content;
  assert.ok(sdp.startsWith('v=0\r\n') && sdp.endsWith('a=framerate:30\r\n'));
  assert.ok(sdp.includes('\r\naptime:20\r\n'), 'SDP content is kept as printed, only its line ends change');
  assert.ok(!/[^\r]\n/.test(sdp), 'every LF is preceded by CR');
});

test('CallManagement C.18 F4: the printed CallInfoList (<TelCPNames>, "Talking ", "\\"Normal\\"", <peer>) parses', () => {
  const [ci, ...rest] = value(parseCallInfoList(fixture('c18-f4-callinfolist-quirks.xml')));
  assert.equal(rest.length, 0);
  assert.ok(ci);
  assert.equal(ci.callID, 'call101');
  assert.deepEqual(ci.targetNames, { type: 'TelCPName', names: [] });
  assert.equal(ci.callStatus, 'Talking');
  assert.equal(ci.priority, 'Normal');
  assert.deepEqual(ci.remoteParty, { id: '0774940201' });
  assert.deepEqual(ci.tcList, [{ udn: 'uuid:97ef6efa-ac89-4ea2-0001-udn101', mediaSessionID: 'media101' }]);
  assert.equal(ci.mediaCapability?.content, audioSdp);
});

test('CallManagement C.12 F29: the printed TCList parses', () => {
  assert.deepEqual(value(parseTCList(fixture('c12-f29-tclist.xml'))), [
    { udn: 'uuid:97ef6efa-ac89-4ea2-0001-udn101', mediaSessionID: 'media101' },
  ]);
});

test('CallManagement C.12 F4/F5: the printed Media Capabilities parse, SDP with CRLF', () => {
  const f4 = fixture('c12-f4-supported-media-capability-info.xml');
  assertValid(f4);
  assert.deepEqual(value(parseSupportedMediaCapabilityInfo(f4)), { mediaCapability: { format: 'SDP', content: audioVideoSdp } });
  const f5 = value(parseMediaCapabilityInfo(fixture('c12-f5-media-capability-info.xml')));
  assert.equal(f5.mediaCapability?.format, 'SDP');
  assert.ok(f5.mediaCapability?.content.includes('m=audio 11021 RTP/AVP 0\r\nc=IN IP4 192.168.1.21\r\n'));
  assert.equal(f5.enableMediaMixing, undefined);
});

test('CallManagement 2.4.18.2: CallLogs in the printed shape (<startTime>, padded values) parse', () => {
  const logs = value(parseCallLogs(fixture('calllogs-2.4.18.xml')));
  assert.deepEqual(logs, [
    {
      direction: 'outgoing',
      success: true,
      type: 'audio',
      caller: [{ id: '0355550101', name: 'Home' }],
      callee: [{ id: '0774940201', name: 'Alice' }],
      startDateTime: '2011-03-22T10:15:30Z',
      durationMs: 65000,
    },
    {
      direction: 'incoming',
      success: false,
      type: 'video',
      caller: [{ id: 'anonymous' }],
      callee: [{ id: '0355550101' }],
      startDateTime: '2011-03-22T11:00:00+09:00',
    },
  ]);
});

test('CallManagement 2.4.20.2: CallBackInfoList with the example\'s "callback…" spellings parses', () => {
  assert.deepEqual(value(parseCallBackInfoList(fixture('callbackinfolist-2.4.20.xml'))), [
    { callBackID: 'callback301', callee: [{ id: 'tel:0774940201' }] },
  ]);
});

test('CallManagement 2.4.4: CallBackAvailability parses; the 2.4.4.2 shape (callBackID under the root) too', () => {
  assert.deepEqual(value(parseCallBackAvailability(fixture('callbackavailability-2.4.4.xml'))), { callBackIDs: ['callback301'] });
  const prose =
    '<?xml version="1.0" encoding="utf-8"?>\n<cams:callbackAvailability xmlns:cams="urn:schemas-upnp-org:phone:cams">' +
    '<callbackID>cb1</callbackID></cams:callbackAvailability>';
  assert.deepEqual(value(parseCallBackAvailability(prose)), { callBackIDs: ['cb1'] });
});

test('CallManagement Appendix A.2: the Peer example with multi-line values parses', () => {
  assert.deepEqual(value(parsePeer(fixture('peer-a2.xml'))), { id: 'tel:0774940201', name: 'Alice', contactInstanceId: 12 });
});

test('CallManagement 2.4.2: leniency — leading white space, spaced namespace URIs, enumerations as printed, unknown elements', () => {
  const printed = fixture('c13-f5-callinfo-full.xml');
  const expected = value(parseCallInfo(printed));
  // White space (as left by a SOAP argument's layout) before the XML declaration.
  assert.deepEqual(value(parseCallInfo(`\n      ${printed}`)), expected);
  assert.deepEqual(value(parseCallInfo(`\uFEFF${printed}`)), expected);
  // A namespace URI broken across lines / with stray spaces.
  const spaced = printed.replace('xmlns:cams="urn:schemas-upnp-org:phone:cams"', 'xmlns:cams="urn:schemas-upnp-\n  org:phone:cams "');
  assert.notEqual(spaced, printed);
  assert.deepEqual(value(parseCallInfo(spaced)), expected);
  // Enumerated values with spaces, quotes and another letter case.
  const sloppy = printed
    .replace('<callStatus>Disconnected</callStatus>', '<callStatus reason=" busy "> DISCONNECTED\n</callStatus>')
    .replace('<targetNames type="TelCPName">', '<targetNames type=" TelCPName ">')
    .replace('<priority>Normal</priority>', '<priority> "Normal" </priority>')
    .replace('<mediaCapability format="SDP">', '<mediaCapability format=" SDP ">');
  const s = value(parseCallInfo(sloppy));
  assert.equal(s.callStatus, 'Disconnected');
  assert.equal(s.reason, 'Busy');
  assert.equal(s.priority, 'Normal');
  assert.equal(s.targetNames.type, 'TelCPName');
  assert.equal(s.mediaCapability?.format, 'SDP');
  // Unknown elements (vendor extensions, future versions) are ignored.
  const extended = printed.replace('<priority>', '<x:vendor xmlns:x="urn:example:x"><x:a/></x:vendor><future>1</future><priority>');
  assert.deepEqual(value(parseCallInfo(extended)), expected);
  // A root without namespace (C.12 F33 prints <callInfo>), and one in a default namespace.
  const bare = '<?xml version="1.0"?><callInfo><callID>c</callID><targetNames type="TelCPName">*</targetNames><callStatus>Ringing</callStatus></callInfo>';
  assert.equal(value(parseCallInfo(bare)).callID, 'c');
  const dflt = bare.replace('<callInfo>', `<callInfo xmlns="${camsNamespace}">`);
  assert.equal(value(parseCallInfo(dflt)).callStatus, 'Ringing');
});

test('CallManagement 2.4.2 (402): structurally wrong CallInfo gives ok:false with a reason', () => {
  const good = buildCallInfo(fullCallInfo);
  refused(parseCallInfo(good.replace(/<callID>.*?<\/callID>/, '')), /callID/);
  refused(parseCallInfo(good.replace('<callID>call101</callID>', '<callID>  </callID>')), /callID/);
  refused(parseCallInfo(good.replace(/<targetNames[^>]*>.*?<\/targetNames>/, '')), /targetNames/);
  refused(parseCallInfo(good.replace(/<callStatus[^>]*>.*?<\/callStatus>/, '')), /callStatus/);
  refused(parseCallInfo(good.replace('>Talking</callStatus>', '>OnHold</callStatus>')), /callStatus/);
  refused(parseCallInfo(good.replace('reason="Accepted by TS"', 'reason="Sleepy"')), /reason/);
  refused(parseCallInfo(good.replace('reason="Accepted by TS"', 'reason="Busy"')), /Table 2-5/);
  refused(parseCallInfo(good.replace('type="TelCPName"', 'type="Nickname"')), /type/);
  refused(parseCallInfo(good.replace('<priority>Normal</priority>', '<priority>Urgent</priority>')), /priority/);
  refused(parseCallInfo(good.replace(/<peer:id>.*?<\/peer:id>/, '')), /peer:id/);
  refused(parseCallInfo(good.replace('<enableMediaMixing>1<', '<enableMediaMixing>2<')), /enableMediaMixing/);
  refused(parseCallInfo(good.replace('<enableMediaMixing>1<', '<enableMediaMixing>yes<')), /enableMediaMixing/);
  refused(parseCallInfo(good.replace('<enableMediaMixing>1</enableMediaMixing>', '<enableMediaMixing>1</enableMediaMixing><shareMedia>m</shareMedia>')), /exclusive/);
  refused(parseCallInfo(good.replace('<mediaCapability format="SDP">', '<mediaCapability format="H.245">')), /format/);
  // Not a CallInfo at all.
  refused(parseCallInfo(buildTCList([])), /root/);
  refused(parseCallInfo(good.replaceAll(camsNamespace, 'urn:schemas-upnp-org:phone:mms')), /namespace/);
  refused(parseCallInfo(''), /empty/);
  refused(parseCallInfo('call101'), /well-formed/);
  refused(parseCallInfo(good.slice(0, good.length - 20)), /well-formed/);
  refused(parseCallInfo('<!DOCTYPE x [<!ENTITY a "b">]><cams:callInfo/>'), /DTD/);
  refused(parseCallInfo(undefined as unknown as string));
});

test('CallManagement 2.4.2.2/2.4.16.2/2.4.18.2: validate… names what is wrong', () => {
  assert.deepEqual(validateCallInfo(fullCallInfo), []);
  assert.ok(validateCallInfo({ ...fullCallInfo, targetNames: { type: 'TelCPName', names: ['a,b'] } })[0]?.includes('comma'));
  assert.ok(validateCallInfo({ ...fullCallInfo, shareMedia: 'media101' })[0]?.includes('exclusive'));
  assert.ok(validateCallInfo({ ...fullCallInfo, remoteParty: { id: 'x', contactInstanceId: 1, groupInstanceId: 2 } }).length > 0);
  assert.ok(validateCallInfo({ ...fullCallInfo, remoteParty: { id: 'x', contactInstanceId: -1 } }).length > 0);
  const log = { type: 'audio', caller: [{ id: 'a' }], callee: [{ id: 'b' }], startDateTime: 'yesterday' } as const;
  assert.match(validateCallLogs([{ ...log, caller: [...log.caller], callee: [...log.callee] }])[0] ?? '', /ISO 8601/);
});

test('CallManagement 2.4.16.2/2.4.18/2.4.20/2.4.4 (402): other malformed fragments give ok:false', () => {
  refused(parseTCList(buildTCList([{ udn: 'uuid:x' }])), /mediaSessionID/);
  const logs = buildCallLogs([{ type: 'audio', caller: [{ id: 'a' }], callee: [{ id: 'b' }], startDateTime: '2011-03-22T10:00:00Z' }]);
  refused(parseCallLogs(logs.replace(/<startDateTime>.*?<\/startDateTime>/, '')), /startDateTime/);
  refused(parseCallLogs(logs.replace(/<caller>[\s\S]*?<\/caller>/, '')), /caller/);
  refused(parseCallLogs(logs.replace('<type>audio</type>', '<type>fax</type>')), /type/);
  refused(parseCallLogs(logs.replace('<call>', '<call success="maybe">')), /success/);
  refused(parseCallLogs(logs.replace('</startDateTime>', '</startDateTime><duration>long</duration>')), /duration/);
  refused(parseCallLogs(logs.replace('2011-03-22T10:00:00Z', '22/03/2011')), /ISO 8601/);
  const cbl = buildCallBackInfoList([{ callBackID: 'cb', callee: [{ id: 'x' }] }]);
  refused(parseCallBackInfoList(cbl.replace(/<callee>[\s\S]*?<\/callee>/, '')), /callee/);
  refused(parseCallBackInfoList(cbl.replace('<callBackID>cb</callBackID>', '')), /callBackID/);
  refused(parseCallBackAvailability(buildCallBackAvailability({ callBackIDs: ['x'] }).replace(/<callBack>[\s\S]*<\/callBack>/, '')), /callBack/);
  refused(parsePeer(buildPeer({ id: 'x', contactInstanceId: 1 }).replace('>1<', '>-1<')), /unsignedInt/);
  refused(parseMediaCapabilityInfo(buildTCList([])), /root/);
});

test('CallManagement 2.4: parsing never throws, whatever the input', () => {
  const docs = [
    buildCallInfo(fullCallInfo),
    buildCallInfoList([fullCallInfo]),
    buildCallLogs([{ type: 'audio', caller: [{ id: 'a' }], callee: [{ id: 'b' }], startDateTime: '2011-03-22' }]),
    buildSupportedMediaCapabilityInfo({ mediaMixingCapability: true }),
    buildCallBackInfoList([{ callBackID: 'cb', callee: [{ id: 'x' }] }]),
  ];
  const parsers = [
    parseCallInfo,
    parseCallInfoList,
    parseTCList,
    parseMediaCapabilityInfo,
    parseSupportedMediaCapabilityInfo,
    parseCallLogs,
    parseCallBackInfoList,
    parseCallBackAvailability,
    parsePeer,
    parseTelCPNameList,
  ] as ((t: string) => CamsParseResult<unknown>)[];
  let seed = 42;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const inputs: unknown[] = [null, 42, {}, '<', '<a/>', '<?xml version="1.0"?>', '\u0000'];
  for (const d of docs) {
    for (let i = 0; i < 40; i++) inputs.push(d.slice(0, rnd(d.length)));
    for (let i = 0; i < 40; i++) {
      const at = rnd(d.length);
      inputs.push(d.slice(0, at) + '<>&"\'/='[rnd(7)]! + d.slice(at + 1));
    }
  }
  for (const p of parsers) {
    for (const input of inputs) {
      const r = p(input as string);
      assert.equal(typeof r.ok, 'boolean');
    }
  }
});
