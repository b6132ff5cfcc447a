/**
 * Byte-level checks of what a hosted device puts on the wire, against UDA 1.0 (and the UDA 1.1
 * additions we send), using raw sockets (node:dgram, node:net) instead of our own control point,
 * so that a mistake shared by our encoder and our parser cannot hide. All traffic stays on 127.0.0.1.
 */
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { DeviceHost, type DeviceSpec, type ServiceImplementation } from '../../src/upnp/index.js';
import { binaryLightType, echoType, lightDevice, switchPowerType } from '../support/switch-power.js';
import { lo, testLogger } from '../support/net.js';
import { asError } from '../../src/base/index.js';

const ssdpGroup = '239.255.255.250';
const ssdpPort = 1900;
const soapNs = 'http://schemas.xmlsoap.org/soap/envelope/';
const soapEnc = 'http://schemas.xmlsoap.org/soap/encoding/';
const controlNs = 'urn:schemas-upnp-org:control-1-0';
const eventNs = 'urn:schemas-upnp-org:event-1-0';
const bootId = 41;
const configId = 5;
const maxAge = 1800;

/** RFC 1123 date as HTTP/1.1 requires it (UDA 1.0 1.2.3 DATE). */
const rfc1123 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;
/** UDA 1.0 1.1.2 SERVER: `OS/version UPnP/1.0 product/version`. */
const serverToken = /^[^\s/]+\/[^\s/]+ UPnP\/1\.[01] [^\s/]+\/[^\s/]+$/;

// ------------------------------------------------------------------ a second service with two evented variables

const pairType = 'urn:schemas-hometel-org:service:Pair:1';
const pair: ServiceImplementation = {
  contract: {
    serviceType: pairType,
    serviceId: 'urn:hometel-org:serviceId:Pair',
    actions: [
      {
        name: 'SetPair',
        arguments: [
          { name: 'NewFirst', direction: 'in', relatedStateVariable: 'First' },
          { name: 'NewSecond', direction: 'in', relatedStateVariable: 'Second' },
        ],
      },
    ],
    stateVariables: [
      { name: 'First', dataType: 'ui4', sendEvents: true, defaultValue: '7' },
      { name: 'Hidden', dataType: 'string', sendEvents: false, defaultValue: 'not evented' },
      { name: 'Second', dataType: 'string', sendEvents: true, defaultValue: 'x<y' },
    ],
  },
  attach: (state) => ({
    SetPair: (args) => {
      state.set({ First: args.NewFirst!, Hidden: 'changed', Second: args.NewSecond! });
      return {};
    },
  }),
};

function testDevice(udn: string): DeviceSpec {
  const light = lightDevice(udn, 'wire format light');
  return { ...light, services: [...light.services, pair] };
}

/** The (NT/ST, USN) pairs UDA 1.0 1.1.2 says this root device (no embedded devices) announces. */
function expectedResources(udn: string): Array<[string, string]> {
  return [
    ['upnp:rootdevice', `${udn}::upnp:rootdevice`],
    [udn, udn],
    [binaryLightType, `${udn}::${binaryLightType}`],
    [switchPowerType, `${udn}::${switchPowerType}`],
    [echoType, `${udn}::${echoType}`],
    [pairType, `${udn}::${pairType}`],
  ];
}

// ------------------------------------------------------------------ raw message helpers

interface RawMessage {
  readonly startLine: string;
  /** Header lines in order, names as sent. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: string;
  readonly raw: string;
}

/** Splits an HTTP(U) message by hand: start line, `Name: value` lines, CRLF CRLF, body. */
function parseRaw(raw: string): RawMessage {
  const end = raw.indexOf('\r\n\r\n');
  assert.ok(end >= 0, `message has no CRLF CRLF after its head: ${JSON.stringify(raw.slice(0, 200))}`);
  const lines = raw.slice(0, end).split('\r\n');
  const startLine = lines.shift()!;
  const headers = lines.map((line): [string, string] => {
    const colon = line.indexOf(':');
    assert.ok(colon > 0, `header line without colon: ${JSON.stringify(line)}`);
    return [line.slice(0, colon), line.slice(colon + 1).trim()];
  });
  return { startLine, headers, body: raw.slice(end + 4), raw };
}

/** The one value of a header (names compared case-insensitively); fails on duplicates. */
function hdr(msg: RawMessage, name: string): string | undefined {
  const found = msg.headers.filter(([n]) => n.toLowerCase() === name.toLowerCase());
  assert.ok(found.length <= 1, `header ${name} appears ${found.length} times`);
  return found[0]?.[1];
}

function requireHeader(msg: RawMessage, name: string): string {
  const v = hdr(msg, name);
  assert.notEqual(v, undefined, `${name} header missing in:\n${msg.raw.slice(0, 600)}`);
  return v!;
}

/** Fails after `ms` with `what`, so no test can hang. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Collects items and resolves waiters as soon as a condition over them holds (no polling). */
class Inbox<T> {
  readonly items: T[] = [];
  private readonly waiters = new Set<() => void>();
  push(item: T): void {
    this.items.push(item);
    for (const w of [...this.waiters]) w();
  }
  until(pred: (items: readonly T[]) => boolean, ms: number, what: string): Promise<void> {
    if (pred(this.items)) return Promise.resolve();
    let check: () => void = () => undefined;
    const p = new Promise<void>((resolve) => {
      check = () => {
        if (pred(this.items)) {
          this.waiters.delete(check);
          resolve();
        }
      };
      this.waiters.add(check);
    });
    return within(p, ms, what).finally(() => this.waiters.delete(check));
  }
}

// ------------------------------------------------------------------ UDP helpers

async function udpSocket(t: TestContext, opts: { reuseAddr?: boolean; port?: number; address?: string }): Promise<UdpSocket> {
  const sock = createSocket({ type: 'udp4', reuseAddr: opts.reuseAddr ?? false });
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(opts.port ?? 0, opts.address, () => {
      sock.off('error', reject);
      resolve();
    });
  });
  t.after(() => new Promise<void>((resolve) => sock.close(() => resolve())));
  return sock;
}

/** A socket bound to 127.0.0.1 that sends to the SSDP group through lo, and records unicast replies. */
async function searcher(t: TestContext): Promise<{ sock: UdpSocket; inbox: Inbox<RawMessage> }> {
  const sock = await udpSocket(t, { address: '127.0.0.1' });
  sock.setMulticastInterface('127.0.0.1');
  sock.setMulticastTTL(1);
  const inbox = new Inbox<RawMessage>();
  sock.on('message', (data) => inbox.push(parseRaw(data.toString('latin1'))));
  return { sock, inbox };
}

function sendSearch(sock: UdpSocket, headerLines: string[]): Promise<void> {
  const data = Buffer.from(`M-SEARCH * HTTP/1.1\r\n${headerLines.map((l) => `${l}\r\n`).join('')}\r\n`, 'latin1');
  return new Promise((resolve, reject) => sock.send(data, ssdpPort, ssdpGroup, (err) => (err ? reject(err) : resolve())));
}

function fromDevice(udn: string): (m: RawMessage) => boolean {
  return (m) => (hdr(m, 'USN') ?? '').split('::')[0] === udn;
}

const delayUntil = (at: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));

// ------------------------------------------------------------------ TCP helpers

/**
 * Sends raw bytes to the device's HTTP server and returns the raw response, read until the server
 * closes (requests carry `Connection: close`) or the one response is complete.
 */
async function exchange(port: number, request: string | Buffer, parts?: Buffer[]): Promise<RawMessage> {
  const p = new Promise<RawMessage>((resolve, reject) => {
    const s: Socket = connect(port, '127.0.0.1');
    s.setNoDelay(true);
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      s.destroy();
      const raw = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(parseRaw(raw));
      } catch (e) {
        reject(asError(e));
      }
    };
    s.on('data', (c: Buffer) => {
      chunks.push(c);
      // Complete once the head is in and CONTENT-LENGTH bytes of body have arrived.
      const text = Buffer.concat(chunks);
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const m = /\r\ncontent-length:\s*(\d+)/i.exec(text.subarray(0, end).toString('latin1'));
      if (m && text.length >= end + 4 + Number(m[1])) finish();
    });
    s.on('end', finish);
    s.on('close', finish);
    s.on('error', (e) => {
      if (!done) {
        done = true;
        reject(e);
      }
    });
    s.on('connect', () => {
      void (async () => {
        if (!parts) {
          s.write(request);
          return;
        }
        for (const [i, part] of parts.entries()) {
          await new Promise<void>((r) => s.write(part, () => r()));
          // The only fixed pause in this file: a TCP peer may deliver a request in pieces, and the
          // server must see the first piece on its own (nothing observable to wait for).
          if (i < parts.length - 1) await new Promise((r) => setTimeout(r, 50));
        }
      })();
    });
  });
  return within(p, 5_000, 'HTTP response');
}

function soapBody(action: string, serviceType: string, argsXml = ''): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?>\r\n' +
    `<s:Envelope xmlns:s="${soapNs}" s:encodingStyle="${soapEnc}"><s:Body>` +
    `<u:${action} xmlns:u="${serviceType}">${argsXml}</u:${action}></s:Body></s:Envelope>\r\n`
  );
}

function soapPost(port: number, path: string, serviceType: string, action: string, argsXml = ''): string {
  const body = soapBody(action, serviceType, argsXml);
  return (
    `POST ${path} HTTP/1.1\r\n` +
    `HOST: 127.0.0.1:${port}\r\n` +
    `CONTENT-LENGTH: ${Buffer.byteLength(body)}\r\n` +
    'CONTENT-TYPE: text/xml; charset="utf-8"\r\n' +
    `SOAPACTION: "${serviceType}#${action}"\r\n` +
    'CONNECTION: close\r\n' +
    '\r\n' +
    body
  );
}

function mPost(port: number, path: string, serviceType: string, action: string): string {
  const body = soapBody(action, serviceType);
  return (
    `M-POST ${path} HTTP/1.1\r\n` +
    `HOST: 127.0.0.1:${port}\r\n` +
    `CONTENT-LENGTH: ${Buffer.byteLength(body)}\r\n` +
    'CONTENT-TYPE: text/xml; charset="utf-8"\r\n' +
    `MAN: "${soapNs}"; ns=01\r\n` +
    `01-SOAPACTION: "${serviceType}#${action}"\r\n` +
    '\r\n' +
    body
  );
}

/** The envelope start tag carries both the SOAP namespace and s:encodingStyle (UDA 1.0 3.2.2). */
function assertEnvelope(body: string): void {
  const start = /<s:Envelope\b[^>]*>/.exec(body)?.[0];
  assert.ok(start, `no s:Envelope in ${body}`);
  assert.ok(start.includes(`xmlns:s="${soapNs}"`), start);
  assert.ok(start.includes(`s:encodingStyle="${soapEnc}"`), start);
  assert.ok(/<s:Body>[\s\S]*<\/s:Body>\s*<\/s:Envelope>\s*$/.test(body), body);
}

/** UDA 1.0 3.2.2: the headers of every control response, success or fault. */
function assertControlHeaders(res: RawMessage): void {
  assert.equal(requireHeader(res, 'CONTENT-TYPE'), 'text/xml; charset="utf-8"');
  assert.equal(requireHeader(res, 'EXT'), '', 'EXT is present and empty');
  assert.match(requireHeader(res, 'DATE'), rfc1123);
  assert.match(requireHeader(res, 'SERVER'), serverToken);
  assert.equal(Number(requireHeader(res, 'CONTENT-LENGTH')), Buffer.byteLength(res.body), 'CONTENT-LENGTH is the body length in bytes');
}

// ------------------------------------------------------------------ the device under test

const udn = `uuid:${randomUUID()}`;
let host: DeviceHost;
let port: number;
let location: string;
const urls = new Map<string, { control: string; event: string }>();

before(async () => {
  host = new DeviceHost({ root: testDevice(udn), interfaces: [lo], bootId, configId, maxAge, logger: testLogger('wire-device') });
  await host.start();
  location = host.locations[0]!;
  port = Number(new URL(location).port);

  // The control and event URLs, read from the description over a raw GET (UDA 1.0 2.1).
  const desc = await exchange(port, `GET /description.xml HTTP/1.1\r\nHOST: 127.0.0.1:${port}\r\nCONNECTION: close\r\n\r\n`);
  assert.equal(desc.startLine, 'HTTP/1.1 200 OK');
  assert.match(requireHeader(desc, 'CONTENT-TYPE'), /^text\/xml\b/);
  for (const m of desc.body.matchAll(/<service>([\s\S]*?)<\/service>/g)) {
    const svc = m[1]!;
    const field = (tag: string): string => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(svc)![1]!;
    urls.set(field('serviceType'), { control: field('controlURL'), event: field('eventSubURL') });
  }
  assert.ok(urls.has(switchPowerType) && urls.has(pairType), 'description lists the services');
});

after(async () => {
  await host?.stop();
});

const controlPath = (type: string): string => urls.get(type)!.control;
const eventPath = (type: string): string => urls.get(type)!.event;

// ------------------------------------------------------------------ SSDP: M-SEARCH responses

test('UDA 1.0 1.2.3: ssdp:all M-SEARCH replies carry the required headers and exactly the announced (ST, USN) pairs', async (t) => {
  const { sock, inbox } = await searcher(t);
  const expected = expectedResources(udn);
  const sentAt = Date.now();
  await sendSearch(sock, [`HOST: ${ssdpGroup}:${ssdpPort}`, 'MAN: "ssdp:discover"', 'MX: 1', 'ST: ssdp:all']);
  const ours = (items: readonly RawMessage[]): RawMessage[] => items.filter(fromDevice(udn));
  const key = (m: RawMessage): string => `${hdr(m, 'ST')} ${hdr(m, 'USN')}`;
  await inbox.until(
    (items) => expected.every(([st, usn]) => ours(items).some((m) => key(m) === `${st} ${usn}`)),
    5_000,
    'a reply for every resource',
  );
  // UDA 1.0 1.2.3: replies come within MX seconds; wait that long for any reply that should not be there.
  await delayUntil(sentAt + 1_500);

  const replies = ours(inbox.items);
  assert.deepEqual(
    [...new Set(replies.map(key))].sort(),
    expected.map(([st, usn]) => `${st} ${usn}`).sort(),
    'the set of (ST, USN) replies is exactly the root, UUID, device type and each service type',
  );
  for (const r of replies) {
    assert.equal(r.startLine, 'HTTP/1.1 200 OK');
    assert.equal(requireHeader(r, 'CACHE-CONTROL'), `max-age=${maxAge}`);
    const date = requireHeader(r, 'DATE');
    assert.match(date, rfc1123);
    assert.ok(Math.abs(Date.parse(date) - Date.now()) < 60_000, `DATE ${date} is now`);
    assert.equal(requireHeader(r, 'EXT'), '', 'EXT is present and empty');
    assert.ok(/\r\nEXT:[ ]?\r\n/i.test(r.raw), 'EXT line carries no value');
    assert.equal(requireHeader(r, 'LOCATION'), location);
    assert.match(requireHeader(r, 'SERVER'), serverToken);
    assert.equal(requireHeader(r, 'BOOTID.UPNP.ORG'), String(bootId));
    assert.equal(requireHeader(r, 'CONFIGID.UPNP.ORG'), String(configId));
    requireHeader(r, 'ST');
    requireHeader(r, 'USN');
    assert.equal(r.body, '', 'a search response has no body');
  }
});

test('UDA 1.0 1.2.3: an M-SEARCH for a service type is answered under that ST', async (t) => {
  const { sock, inbox } = await searcher(t);
  await sendSearch(sock, [`HOST: ${ssdpGroup}:${ssdpPort}`, 'MAN: "ssdp:discover"', 'MX: 1', `ST: ${switchPowerType}`]);
  await inbox.until((items) => items.some(fromDevice(udn)), 5_000, 'a reply to the service type search');
  const reply = inbox.items.find(fromDevice(udn))!;
  assert.equal(reply.startLine, 'HTTP/1.1 200 OK');
  assert.equal(hdr(reply, 'ST'), switchPowerType);
  assert.equal(hdr(reply, 'USN'), `${udn}::${switchPowerType}`);
  assert.equal(hdr(reply, 'LOCATION'), location);
});

test('UDA 1.0 1.2.3: an M-SEARCH for the device UUID or device type is answered under that ST', async (t) => {
  const { sock, inbox } = await searcher(t);
  await sendSearch(sock, [`HOST: ${ssdpGroup}:${ssdpPort}`, 'MAN: "ssdp:discover"', 'MX: 1', `ST: ${udn}`]);
  await sendSearch(sock, [`HOST: ${ssdpGroup}:${ssdpPort}`, 'MAN: "ssdp:discover"', 'MX: 1', `ST: ${binaryLightType}`]);
  await inbox.until((items) => items.filter(fromDevice(udn)).length >= 2, 5_000, 'replies to the UUID and type searches');
  const pairs = inbox.items.filter(fromDevice(udn)).map((m) => [hdr(m, 'ST'), hdr(m, 'USN')]);
  assert.deepEqual(
    pairs.sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    [
      [udn, udn],
      [binaryLightType, `${udn}::${binaryLightType}`],
    ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
  );
});

test('UDA 1.0 1.2.2: an M-SEARCH without MAN, with MX missing or with another MAN gets no reply', async (t) => {
  const control = await searcher(t);
  const noMan = await searcher(t);
  const noMx = await searcher(t);
  const badMan = await searcher(t);
  const host_ = `HOST: ${ssdpGroup}:${ssdpPort}`;
  const sentAt = Date.now();
  await sendSearch(noMan.sock, [host_, 'MX: 1', `ST: ${udn}`]);
  await sendSearch(noMx.sock, [host_, 'MAN: "ssdp:discover"', `ST: ${udn}`]);
  await sendSearch(badMan.sock, [host_, 'MAN: "ssdp:alive"', 'MX: 1', `ST: ${udn}`]);
  await sendSearch(control.sock, [host_, 'MAN: "ssdp:discover"', 'MX: 1', `ST: ${udn}`]);
  // The well-formed search sent last is answered, so the device did see the others.
  await control.inbox.until((items) => items.some(fromDevice(udn)), 5_000, 'the reply to the well-formed search');
  await delayUntil(sentAt + 1_500);
  assert.equal(noMan.inbox.items.filter(fromDevice(udn)).length, 0, 'no MAN: no reply');
  assert.equal(noMx.inbox.items.filter(fromDevice(udn)).length, 0, 'no MX: no reply');
  assert.equal(badMan.inbox.items.filter(fromDevice(udn)).length, 0, 'MAN other than ssdp:discover: no reply');
});

// ------------------------------------------------------------------ SSDP: NOTIFY alive and byebye

test('UDA 1.0 1.1.2 / 1.1.3: ssdp:alive at start and ssdp:byebye at stop, with the required headers', async (t) => {
  const capture = await udpSocket(t, { reuseAddr: true, port: ssdpPort });
  capture.addMembership(ssdpGroup, '127.0.0.1');
  const udn2 = `uuid:${randomUUID()}`;
  const inbox = new Inbox<RawMessage>();
  capture.on('message', (data) => {
    const m = parseRaw(data.toString('latin1'));
    if (m.startLine === 'NOTIFY * HTTP/1.1' && fromDevice(udn2)(m)) inbox.push(m);
  });

  const device = new DeviceHost({ root: testDevice(udn2), interfaces: [lo], bootId: 3, configId: 9, maxAge: 120, logger: testLogger('wire-notify') });
  let stopped = false;
  t.after(async () => {
    if (!stopped) await device.stop();
  });
  await device.start();
  const loc = device.locations[0]!;
  const expected = expectedResources(udn2).map(([nt, usn]) => `${nt} ${usn}`).sort();
  const key = (m: RawMessage): string => `${hdr(m, 'NT')} ${hdr(m, 'USN')}`;
  const covered = (items: readonly RawMessage[], nts: string): boolean => {
    const got = new Set(items.filter((m) => hdr(m, 'NTS') === nts).map(key));
    return expected.every((e) => got.has(e));
  };

  await inbox.until((items) => covered(items, 'ssdp:alive'), 5_000, 'ssdp:alive for every resource');
  const alive = inbox.items.filter((m) => hdr(m, 'NTS') === 'ssdp:alive');
  assert.deepEqual([...new Set(alive.map(key))].sort(), expected, 'alive for exactly the announced resources');
  for (const m of alive) {
    assert.equal(requireHeader(m, 'HOST'), '239.255.255.250:1900');
    assert.equal(requireHeader(m, 'CACHE-CONTROL'), 'max-age=120');
    assert.equal(requireHeader(m, 'LOCATION'), loc);
    requireHeader(m, 'NT');
    assert.match(requireHeader(m, 'SERVER'), serverToken);
    requireHeader(m, 'USN');
    assert.equal(hdr(m, 'BOOTID.UPNP.ORG'), '3');
    assert.equal(hdr(m, 'CONFIGID.UPNP.ORG'), '9');
    assert.equal(m.body, '');
  }

  const before = inbox.items.length;
  await device.stop();
  stopped = true;
  await inbox.until((items) => covered(items.slice(before), 'ssdp:byebye'), 5_000, 'ssdp:byebye for every resource');
  // Alive repeats sent before stop may still be arriving; once the first byebye is in, only byebye follow.
  const afterStop = inbox.items.slice(before);
  const firstBye = afterStop.findIndex((m) => hdr(m, 'NTS') === 'ssdp:byebye');
  const byebye = afterStop.slice(firstBye);
  assert.ok(byebye.every((m) => hdr(m, 'NTS') === 'ssdp:byebye'), 'no ssdp:alive after the first byebye of stop');
  assert.deepEqual([...new Set(byebye.map(key))].sort(), expected, 'byebye for exactly the announced resources');
  for (const m of byebye) {
    assert.equal(requireHeader(m, 'HOST'), '239.255.255.250:1900');
    requireHeader(m, 'NT');
    requireHeader(m, 'USN');
    assert.equal(m.body, '');
  }
});

// ------------------------------------------------------------------ SOAP control

test('UDA 1.0 3.2.2: a POSTed action is answered 200 with text/xml, EXT and the u:ActionResponse envelope', async () => {
  const res = await exchange(port, soapPost(port, controlPath(switchPowerType), switchPowerType, 'GetStatus'));
  assert.equal(res.startLine, 'HTTP/1.1 200 OK');
  assertControlHeaders(res);
  assertEnvelope(res.body);
  assert.ok(
    res.body.includes(
      `<s:Body><u:GetStatusResponse xmlns:u="${switchPowerType}"><ResultStatus>0</ResultStatus></u:GetStatusResponse></s:Body>`,
    ),
    res.body,
  );
});

test('UDA 1.0 3.2.2: an action error is HTTP 500 with an s:Client / UPnPError fault carrying errorCode and errorDescription', async () => {
  const res = await exchange(
    port,
    soapPost(port, controlPath(switchPowerType), switchPowerType, 'SetTarget', '<newTargetValue>maybe</newTargetValue>'),
  );
  assert.equal(res.startLine, 'HTTP/1.1 500 Internal Server Error');
  assertControlHeaders(res);
  assertEnvelope(res.body);
  const fault = /<s:Body>(<s:Fault>[\s\S]*<\/s:Fault>)<\/s:Body>/.exec(res.body)?.[1];
  assert.ok(fault, res.body);
  assert.ok(fault.includes('<faultcode>s:Client</faultcode>'), fault);
  assert.ok(fault.includes('<faultstring>UPnPError</faultstring>'), fault);
  assert.match(
    fault,
    new RegExp(`<detail><UPnPError xmlns="${controlNs}"><errorCode>402</errorCode><errorDescription>[^<]+</errorDescription></UPnPError></detail>`),
  );
});

test('UDA 1.0 3.2.2: an unknown action is a 401 fault', async () => {
  const res = await exchange(port, soapPost(port, controlPath(switchPowerType), switchPowerType, 'Frobnicate'));
  assert.equal(res.startLine, 'HTTP/1.1 500 Internal Server Error');
  assert.match(res.body, /<errorCode>401<\/errorCode>/);
});

test('UDA 1.0 3.2.1: an M-POST with MAN "…/soap/envelope/"; ns=01 and 01-SOAPACTION succeeds', async () => {
  const res = await exchange(port, mPost(port, controlPath(switchPowerType), switchPowerType, 'GetStatus'));
  assert.equal(res.startLine, 'HTTP/1.1 200 OK');
  assertControlHeaders(res);
  assertEnvelope(res.body);
  assert.ok(res.body.includes(`<u:GetStatusResponse xmlns:u="${switchPowerType}"><ResultStatus>0</ResultStatus>`), res.body);
});

test('UDA 1.0 3.2.1: an M-POST whose first TCP segment is shorter than "M-POST " still succeeds', async () => {
  const raw = Buffer.from(mPost(port, controlPath(switchPowerType), switchPowerType, 'GetStatus'), 'utf8');
  const res = await exchange(port, raw, [raw.subarray(0, 2), raw.subarray(2)]);
  assert.equal(res.startLine, 'HTTP/1.1 200 OK', res.raw);
  assert.ok(res.body.includes('<ResultStatus>0</ResultStatus>'), res.body);
});

// ------------------------------------------------------------------ GENA

interface CapturedRequest extends RawMessage {
  readonly method: string;
  readonly path: string;
}

/** A raw HTTP server on 127.0.0.1 that records each request and answers 200 with an empty body. */
async function callbackServer(t: TestContext): Promise<{ port: number; inbox: Inbox<CapturedRequest> }> {
  const inbox = new Inbox<CapturedRequest>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
    let buf = Buffer.alloc(0);
    s.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        const len = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + len) return;
        const raw = buf.subarray(0, end + 4 + len).toString('utf8');
        buf = buf.subarray(end + 4 + len);
        const msg = parseRaw(raw);
        const [method = '', path = ''] = msg.startLine.split(' ');
        s.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
        inbox.push({ ...msg, method, path });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as { port: number }).port, inbox };
}

async function subscribe(path: string, cbPort: number): Promise<RawMessage> {
  return exchange(
    port,
    `SUBSCRIBE ${path} HTTP/1.1\r\n` +
      `HOST: 127.0.0.1:${port}\r\n` +
      `CALLBACK: <http://127.0.0.1:${cbPort}/cb>\r\n` +
      'NT: upnp:event\r\n' +
      'TIMEOUT: Second-300\r\n' +
      'CONNECTION: close\r\n' +
      '\r\n',
  );
}

async function unsubscribe(path: string, sid: string): Promise<RawMessage> {
  return exchange(port, `UNSUBSCRIBE ${path} HTTP/1.1\r\nHOST: 127.0.0.1:${port}\r\nSID: ${sid}\r\nCONNECTION: close\r\n\r\n`);
}

/** UDA 1.0 4.2.1: the headers of every event message. */
function assertNotify(n: CapturedRequest, cbPort: number, sid: string, seq: number): void {
  assert.equal(n.startLine, 'NOTIFY /cb HTTP/1.1');
  assert.equal(requireHeader(n, 'HOST'), `127.0.0.1:${cbPort}`);
  assert.match(requireHeader(n, 'CONTENT-TYPE'), /^text\/xml\b/);
  assert.equal(Number(requireHeader(n, 'CONTENT-LENGTH')), Buffer.byteLength(n.body));
  assert.equal(requireHeader(n, 'NT'), 'upnp:event');
  assert.equal(requireHeader(n, 'NTS'), 'upnp:propchange');
  assert.equal(requireHeader(n, 'SID'), sid);
  assert.equal(requireHeader(n, 'SEQ'), String(seq));
  assert.equal(hdr(n, 'TRANSFER-ENCODING'), undefined, 'not chunked');
}

/** The variables of an e:propertyset body, checking that each e:property holds exactly one. */
function propertySet(body: string): Array<[string, string]> {
  const root = new RegExp(`^(?:<\\?xml[^>]*\\?>\\s*)?<e:propertyset xmlns:e="${eventNs}">([\\s\\S]*)</e:propertyset>\\s*$`).exec(body);
  assert.ok(root, `not an e:propertyset in ${eventNs}: ${body}`);
  const props = [...root[1]!.matchAll(/<e:property>([\s\S]*?)<\/e:property>/g)].map((m) => m[1]!);
  assert.equal(root[1]!.replace(/<e:property>[\s\S]*?<\/e:property>/g, '').trim(), '', 'only e:property children');
  return props.map((p) => {
    const v = /^<([A-Za-z_][\w.-]*)>([^<]*)<\/\1>$/.exec(p);
    assert.ok(v, `an e:property holds exactly one variable element: ${p}`);
    return [v[1]!, v[2]!];
  });
}

test('UDA 1.0 4.1.1 / 4.2.1: SUBSCRIBE response and the raw NOTIFY messages (SEQ 0 then 1)', async (t) => {
  const cb = await callbackServer(t);
  const path = eventPath(switchPowerType);
  const res = await subscribe(path, cb.port);
  assert.equal(res.startLine, 'HTTP/1.1 200 OK');
  const sid = requireHeader(res, 'SID');
  assert.match(sid, /^uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal(requireHeader(res, 'TIMEOUT'), 'Second-300');
  assert.match(requireHeader(res, 'DATE'), rfc1123);
  assert.match(requireHeader(res, 'SERVER'), serverToken);
  assert.equal(requireHeader(res, 'CONTENT-LENGTH'), '0');
  let subscribed = true;
  t.after(async () => {
    if (subscribed) await unsubscribe(path, sid);
  });

  await cb.inbox.until((items) => items.length >= 1, 5_000, 'the initial event');
  const initial = cb.inbox.items[0]!;
  assertNotify(initial, cb.port, sid, 0);
  assert.deepEqual(propertySet(initial.body), [['Status', '0']], 'one e:property per evented variable (Target is not evented)');

  const set = await exchange(port, soapPost(port, controlPath(switchPowerType), switchPowerType, 'SetTarget', '<newTargetValue>1</newTargetValue>'));
  assert.equal(set.startLine, 'HTTP/1.1 200 OK');
  await cb.inbox.until((items) => items.length >= 2, 5_000, 'the event after SetTarget');
  const change = cb.inbox.items[1]!;
  assertNotify(change, cb.port, sid, 1);
  assert.deepEqual(propertySet(change.body), [['Status', '1']]);

  const un = await unsubscribe(path, sid);
  subscribed = false;
  assert.equal(un.startLine, 'HTTP/1.1 200 OK');
  assert.equal(cb.inbox.items.length, 2, 'no other NOTIFY was sent');
  // Back to the initial state for the other tests.
  await exchange(port, soapPost(port, controlPath(switchPowerType), switchPowerType, 'SetTarget', '<newTargetValue>0</newTargetValue>'));
});

test('UDA 1.0 4.2.1: every evented variable gets its own e:property; non-evented ones are never sent', async (t) => {
  const cb = await callbackServer(t);
  const path = eventPath(pairType);
  const res = await subscribe(path, cb.port);
  assert.equal(res.startLine, 'HTTP/1.1 200 OK');
  const sid = requireHeader(res, 'SID');
  t.after(async () => {
    await unsubscribe(path, sid);
  });

  await cb.inbox.until((items) => items.length >= 1, 5_000, 'the initial event');
  assertNotify(cb.inbox.items[0]!, cb.port, sid, 0);
  assert.deepEqual(propertySet(cb.inbox.items[0]!.body), [
    ['First', '7'],
    ['Second', 'x&lt;y'],
  ]);

  const set = await exchange(
    port,
    soapPost(port, controlPath(pairType), pairType, 'SetPair', '<NewFirst>8</NewFirst><NewSecond>a&amp;b</NewSecond>'),
  );
  assert.equal(set.startLine, 'HTTP/1.1 200 OK', set.body);
  await cb.inbox.until((items) => items.length >= 2, 5_000, 'the event after SetPair');
  assertNotify(cb.inbox.items[1]!, cb.port, sid, 1);
  assert.deepEqual(
    propertySet(cb.inbox.items[1]!.body),
    [
      ['First', '8'],
      ['Second', 'a&amp;b'],
    ],
    'both changed evented variables in one event message',
  );
});

test('UDA 1.0 4.1.1: a SUBSCRIBE whose CALLBACK is not the subscriber\'s address is refused 412 on the wire', async () => {
  const res = await exchange(
    port,
    `SUBSCRIBE ${eventPath(switchPowerType)} HTTP/1.1\r\nHOST: 127.0.0.1:${port}\r\nCALLBACK: <http://192.0.2.1:9/cb>\r\nNT: upnp:event\r\nTIMEOUT: Second-300\r\nCONNECTION: close\r\n\r\n`,
  );
  assert.equal(res.startLine, 'HTTP/1.1 412 Precondition Failed');
});
