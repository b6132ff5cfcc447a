/** SSDP datagram codec (UDA 1.0 section 1): strings and headers only. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatSsdp,
  maxAgeOf,
  parseSsdp,
  ssdpHost,
  ssdpMulticastAddress,
  ssdpPort,
  udnOfUsn,
} from '../../src/upnp/ssdp/ssdp-codec.js';

const crlf = (lines: string[]): Buffer => Buffer.from(lines.join('\r\n'), 'latin1');

test('UDA 1.0 1.1: the SSDP multicast address and port are 239.255.255.250:1900', () => {
  assert.equal(ssdpMulticastAddress, '239.255.255.250');
  assert.equal(ssdpPort, 1900);
  assert.equal(ssdpHost, '239.255.255.250:1900');
});

test('UDA 1.0 1.1.2: a NOTIFY datagram parses to kind notify with its headers', () => {
  const msg = parseSsdp(
    crlf([
      'NOTIFY * HTTP/1.1',
      'HOST: 239.255.255.250:1900',
      'CACHE-CONTROL: max-age=1800',
      'LOCATION: http://127.0.0.1:4000/description.xml',
      'NT: upnp:rootdevice',
      'NTS: ssdp:alive',
      'SERVER: Linux/6.1 UPnP/1.0 test/1.0',
      'USN: uuid:abc::upnp:rootdevice',
      '',
      '',
    ]),
  );
  assert.ok(msg);
  assert.equal(msg.kind, 'notify');
  assert.equal(msg.headers.get('host'), '239.255.255.250:1900');
  assert.equal(msg.headers.get('nt'), 'upnp:rootdevice');
  assert.equal(msg.headers.get('nts'), 'ssdp:alive');
  assert.equal(msg.headers.get('usn'), 'uuid:abc::upnp:rootdevice');
  assert.equal(msg.headers.size, 7);
});

test('UDA 1.0 1.2.2: an M-SEARCH datagram parses to kind search', () => {
  const msg = parseSsdp(
    crlf(['M-SEARCH * HTTP/1.1', 'HOST: 239.255.255.250:1900', 'MAN: "ssdp:discover"', 'MX: 3', 'ST: ssdp:all', '', '']),
  );
  assert.ok(msg);
  assert.equal(msg.kind, 'search');
  assert.equal(msg.headers.get('man'), '"ssdp:discover"');
  assert.equal(msg.headers.get('mx'), '3');
  assert.equal(msg.headers.get('st'), 'ssdp:all');
});

test('UDA 1.0 1.2.3: a search response parses to kind response with its status', () => {
  const msg = parseSsdp(crlf(['HTTP/1.1 200 OK', 'CACHE-CONTROL: max-age=100', 'EXT:', 'ST: upnp:rootdevice', '', '']));
  assert.ok(msg);
  assert.equal(msg.kind, 'response');
  assert.equal(msg.kind === 'response' && msg.status, 200);
  assert.equal(msg.headers.get('ext'), '', 'EXT is present with an empty value');
  assert.equal(msg.headers.get('st'), 'upnp:rootdevice');
  // HTTP/1.0 status lines and reason-less status lines are accepted too.
  assert.equal(parseSsdp(crlf(['HTTP/1.0 200 OK', 'ST: x', '', '']))?.kind, 'response');
  assert.equal(parseSsdp(crlf(['HTTP/1.1 200', 'ST: x', '', '']))?.kind, 'response');
});

test('UDA 1.0 1 (HTTPU): header names are case-insensitive, values are trimmed', () => {
  const msg = parseSsdp(
    crlf(['M-SEARCH * HTTP/1.1', 'host:239.255.255.250:1900', 'Man:   "ssdp:discover"  ', 'mX: 2', 'sT: upnp:rootdevice', '', '']),
  );
  assert.ok(msg);
  assert.equal(msg.headers.get('host'), '239.255.255.250:1900');
  assert.equal(msg.headers.get('man'), '"ssdp:discover"');
  assert.equal(msg.headers.get('mx'), '2');
  assert.equal(msg.headers.get('st'), 'upnp:rootdevice');
});

test('UDA 1.0 1: a datagram without the final empty line still parses; anything after the head is ignored', () => {
  const noBlank = parseSsdp(crlf(['M-SEARCH * HTTP/1.1', 'ST: ssdp:all', '']));
  assert.equal(noBlank?.kind, 'search');
  assert.equal(noBlank?.headers.get('st'), 'ssdp:all');
  const withBody = parseSsdp(crlf(['NOTIFY * HTTP/1.1', 'NT: a', '', 'garbage: after the head']));
  assert.equal(withBody?.headers.get('nt'), 'a');
  assert.equal(withBody?.headers.has('garbage'), false);
});

test('UDA 1.0 1: garbage, binary, oversized and malformed datagrams parse to undefined', () => {
  assert.equal(parseSsdp(Buffer.alloc(0)), undefined, 'empty');
  assert.equal(parseSsdp(Buffer.from('hello world')), undefined, 'plain text');
  assert.equal(parseSsdp(Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0d, 0x0a, 0x0d, 0x0a])), undefined, 'binary');
  assert.equal(parseSsdp(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')), undefined, 'plain HTTP request');
  assert.equal(parseSsdp(Buffer.from('notify * http/1.1\r\nNT: a\r\n\r\n')), undefined, 'lower-case start line');
  assert.equal(parseSsdp(Buffer.from('NOTIFY * HTTP/1.1\r\nno colon here\r\n\r\n')), undefined, 'header without colon');
  assert.equal(parseSsdp(Buffer.from('NOTIFY * HTTP/1.1\r\n: empty name\r\n\r\n')), undefined, 'empty header name');
  assert.equal(parseSsdp(Buffer.from('NOTIFY * HTTP/1.1\r\nbad name: x\r\n\r\n')), undefined, 'space in header name');
  assert.equal(parseSsdp(Buffer.from('NOTIFY * HTTP/1.1\r\n\x01\x02: x\r\n\r\n')), undefined, 'control bytes in header name');
  assert.equal(parseSsdp(Buffer.from('HTTP/1.1 OK\r\nST: x\r\n\r\n')), undefined, 'status without code');

  const big = Buffer.from(`NOTIFY * HTTP/1.1\r\nNT: ${'a'.repeat(9000)}\r\n\r\n`);
  assert.ok(big.length > 8192);
  assert.equal(parseSsdp(big), undefined, 'larger than 8 KiB');

  const many = ['NOTIFY * HTTP/1.1', ...Array.from({ length: 65 }, (_, i) => `X-${i}: v`), '', ''];
  assert.equal(parseSsdp(crlf(many)), undefined, 'more than 64 headers');
  const enough = ['NOTIFY * HTTP/1.1', ...Array.from({ length: 64 }, (_, i) => `X-${i}: v`), '', ''];
  assert.equal(parseSsdp(crlf(enough))?.kind, 'notify', '64 headers are fine');

  const random = Buffer.alloc(512);
  for (let i = 0; i < random.length; i++) random[i] = (i * 7919 + 13) & 0xff;
  assert.equal(parseSsdp(random), undefined, 'pseudo-random bytes');
});

test('UDA 1.0 1: formatSsdp writes the start line, "NAME: value" lines and the empty line, all CRLF', () => {
  const out = formatSsdp('M-SEARCH * HTTP/1.1', [
    ['HOST', ssdpHost],
    ['MAN', '"ssdp:discover"'],
    ['MX', '1'],
    ['ST', 'ssdp:all'],
    ['EXT', ''],
  ]);
  assert.equal(
    out.toString('latin1'),
    'M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 1\r\nST: ssdp:all\r\nEXT: \r\n\r\n',
  );
});

test('UDA 1.0 1: formatSsdp and parseSsdp round trip', () => {
  const headers: Array<[string, string]> = [
    ['CACHE-CONTROL', 'max-age=1800'],
    ['DATE', 'Tue, 02 Jan 2024 03:04:05 GMT'],
    ['EXT', ''],
    ['LOCATION', 'http://127.0.0.1:1234/description.xml'],
    ['SERVER', 'Linux/6.1 UPnP/1.0 hometel/0.1'],
    ['ST', 'urn:schemas-upnp-org:device:BinaryLight:1'],
    ['USN', 'uuid:1234::urn:schemas-upnp-org:device:BinaryLight:1'],
  ];
  const msg = parseSsdp(formatSsdp('HTTP/1.1 200 OK', headers));
  assert.ok(msg && msg.kind === 'response');
  assert.equal(msg.status, 200);
  assert.deepEqual([...msg.headers], headers.map(([n, v]) => [n.toLowerCase(), v]));
});

test('UDA 1.0 1.1.2: maxAgeOf reads max-age from CACHE-CONTROL', () => {
  assert.equal(maxAgeOf('max-age=1800'), 1800);
  assert.equal(maxAgeOf('max-age = 60'), 60);
  assert.equal(maxAgeOf('MAX-AGE=5'), 5);
  assert.equal(maxAgeOf('max-age="120"'), 120);
  assert.equal(maxAgeOf('no-cache="Ext", max-age=900'), 900);
  assert.equal(maxAgeOf('no-cache'), undefined);
  assert.equal(maxAgeOf('max-age=abc'), undefined);
  assert.equal(maxAgeOf(''), undefined);
  assert.equal(maxAgeOf(undefined), undefined);
});

test('UDA 1.0 1.1.2: udnOfUsn takes the uuid part of every USN form', () => {
  assert.equal(udnOfUsn('uuid:2fac1234-31f8-11b4-a222-08002b34c003'), 'uuid:2fac1234-31f8-11b4-a222-08002b34c003');
  assert.equal(udnOfUsn('uuid:abc::upnp:rootdevice'), 'uuid:abc');
  assert.equal(udnOfUsn('uuid:abc::urn:schemas-upnp-org:device:BinaryLight:1'), 'uuid:abc');
  assert.equal(udnOfUsn('uuid:abc::urn:schemas-upnp-org:service:SwitchPower:1'), 'uuid:abc');
  assert.equal(udnOfUsn('  uuid:abc::upnp:rootdevice  '), 'uuid:abc');
  assert.equal(udnOfUsn('urn:schemas-upnp-org:device:BinaryLight:1'), undefined);
  assert.equal(udnOfUsn('uuid:'), undefined);
  assert.equal(udnOfUsn(''), undefined);
});
