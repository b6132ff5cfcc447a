/** The pure parts of the SSDP advertiser (UDA 1.0 section 1.1 and 1.2): resources, search matching, message bytes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Clock } from '../../src/base/clock.js';
import { silentLogger } from '../../src/base/logger.js';
import { resourcesOf, SsdpAdvertiser, type SsdpResource } from '../../src/upnp/ssdp/advertiser.js';
import type { SsdpSocket } from '../../src/upnp/ssdp/ssdp-socket.js';

const rootUdn = 'uuid:11111111-2222-3333-4444-555555555555';
const embUdn = 'uuid:66666666-7777-8888-9999-000000000000';
const lightV2 = 'urn:schemas-upnp-org:device:BinaryLight:2';
const switchV2 = 'urn:schemas-upnp-org:service:SwitchPower:2';
const dimmingV1 = 'urn:schemas-upnp-org:service:Dimming:1';
const echoV1 = 'urn:schemas-hometel-org:service:Echo:1';
const sensorV1 = 'urn:schemas-hometel-org:device:Sensor:1';

const devices = [
  { udn: rootUdn, deviceType: lightV2, serviceTypes: [switchV2, dimmingV1] },
  { udn: embUdn, deviceType: sensorV1, serviceTypes: [echoV1] },
];

const fixedNow = Date.UTC(2024, 0, 2, 3, 4, 5);
const fakeClock: Clock = {
  now: () => fixedNow,
  setTimer: () => ({ cancel: () => undefined }),
};

function advertiser(resources: readonly SsdpResource[] = resourcesOf(rootUdn, devices)): SsdpAdvertiser {
  // Nothing is sent by the calls these tests make: the socket is never touched.
  const socket = {} as unknown as SsdpSocket;
  return new SsdpAdvertiser(socket, resources, {
    location: 'http://127.0.0.1:4321/description.xml',
    server: 'Linux/6.1 UPnP/1.0 hometel/0.1',
    maxAge: 1800,
    bootId: 7,
    configId: 3,
    clock: fakeClock,
    logger: silentLogger,
  });
}

test('UDA 1.0 1.1.2: resourcesOf announces the root, then UUID, type and each service type of every device', () => {
  assert.deepEqual(resourcesOf(rootUdn, devices), [
    { nt: 'upnp:rootdevice', usn: `${rootUdn}::upnp:rootdevice` },
    { nt: rootUdn, usn: rootUdn },
    { nt: lightV2, usn: `${rootUdn}::${lightV2}` },
    { nt: switchV2, usn: `${rootUdn}::${switchV2}` },
    { nt: dimmingV1, usn: `${rootUdn}::${dimmingV1}` },
    { nt: embUdn, usn: embUdn },
    { nt: sensorV1, usn: `${embUdn}::${sensorV1}` },
    { nt: echoV1, usn: `${embUdn}::${echoV1}` },
  ]);
});

test('UDA 1.0 1.1.2: a service type offered twice by one device is announced once for it', () => {
  const r = resourcesOf(rootUdn, [{ udn: rootUdn, deviceType: lightV2, serviceTypes: [switchV2, switchV2] }]);
  assert.equal(r.filter((x) => x.nt === switchV2).length, 1);
  assert.equal(r.length, 4);
});

test('UDA 1.0 1.2.3: ssdp:all is answered with every resource under its own NT', () => {
  const all = resourcesOf(rootUdn, devices);
  assert.deepEqual(
    advertiser().matches('ssdp:all'),
    all.map((r) => [r.nt, r.usn]),
  );
});

test('UDA 1.0 1.2.3: upnp:rootdevice is answered once, by the root', () => {
  assert.deepEqual(advertiser().matches('upnp:rootdevice'), [['upnp:rootdevice', `${rootUdn}::upnp:rootdevice`]]);
});

test('UDA 1.0 1.2.3: uuid:device-UUID is answered by that device only, root or embedded', () => {
  const a = advertiser();
  assert.deepEqual(a.matches(rootUdn), [[rootUdn, rootUdn]]);
  assert.deepEqual(a.matches(embUdn), [[embUdn, embUdn]]);
  assert.deepEqual(a.matches('uuid:00000000-0000-0000-0000-000000000000'), []);
});

test('UDA 1.0 1.2.3: a device or service type is answered by the device offering it', () => {
  const a = advertiser();
  assert.deepEqual(a.matches(lightV2), [[lightV2, `${rootUdn}::${lightV2}`]]);
  assert.deepEqual(a.matches(sensorV1), [[sensorV1, `${embUdn}::${sensorV1}`]]);
  assert.deepEqual(a.matches(switchV2), [[switchV2, `${rootUdn}::${switchV2}`]]);
  assert.deepEqual(a.matches(echoV1), [[echoV1, `${embUdn}::${echoV1}`]]);
});

test('UDA 1.0 1.2.3: a request for version N is answered by version >= N, under the requested type', () => {
  const a = advertiser();
  const lightV1 = 'urn:schemas-upnp-org:device:BinaryLight:1';
  const switchV1 = 'urn:schemas-upnp-org:service:SwitchPower:1';
  assert.deepEqual(a.matches(lightV1), [[lightV1, `${rootUdn}::${lightV1}`]]);
  assert.deepEqual(a.matches(switchV1), [[switchV1, `${rootUdn}::${switchV1}`]]);
});

test('UDA 1.0 1.2.3: a request for version N is not answered by a version < N', () => {
  const a = advertiser();
  assert.deepEqual(a.matches('urn:schemas-upnp-org:device:BinaryLight:3'), []);
  assert.deepEqual(a.matches('urn:schemas-upnp-org:service:SwitchPower:3'), []);
  assert.deepEqual(a.matches('urn:schemas-upnp-org:service:Dimming:2'), []);
  assert.deepEqual(a.matches('urn:schemas-hometel-org:service:Echo:2'), []);
});

test('UDA 1.0 1.2.3: other domains, kinds and types are not answered', () => {
  const a = advertiser();
  assert.deepEqual(a.matches('urn:schemas-other-org:device:BinaryLight:1'), [], 'other domain');
  assert.deepEqual(a.matches('urn:schemas-upnp-org:service:BinaryLight:1'), [], 'device type asked as a service');
  assert.deepEqual(a.matches('urn:schemas-upnp-org:device:SwitchPower:1'), [], 'service type asked as a device');
  assert.deepEqual(a.matches('urn:schemas-upnp-org:device:DimmableLight:1'), [], 'other type');
  assert.deepEqual(a.matches('urn:schemas-upnp-org:device:BinaryLight'), [], 'no version');
  assert.deepEqual(a.matches('upnp:other'), []);
  assert.deepEqual(a.matches(''), []);
});

test('UDA 1.0 1.1.2 / UDA 1.1 1.2.2: aliveMessage has exactly the ssdp:alive headers', () => {
  const a = advertiser();
  assert.equal(
    a.aliveMessage({ nt: switchV2, usn: `${rootUdn}::${switchV2}` }).toString('latin1'),
    'NOTIFY * HTTP/1.1\r\n' +
      'HOST: 239.255.255.250:1900\r\n' +
      'CACHE-CONTROL: max-age=1800\r\n' +
      'LOCATION: http://127.0.0.1:4321/description.xml\r\n' +
      `NT: ${switchV2}\r\n` +
      'NTS: ssdp:alive\r\n' +
      'SERVER: Linux/6.1 UPnP/1.0 hometel/0.1\r\n' +
      `USN: ${rootUdn}::${switchV2}\r\n` +
      'BOOTID.UPNP.ORG: 7\r\n' +
      'CONFIGID.UPNP.ORG: 3\r\n' +
      '\r\n',
  );
});

test('UDA 1.0 1.1.3 / UDA 1.1 1.2.3: byebyeMessage has exactly the ssdp:byebye headers', () => {
  const a = advertiser();
  assert.equal(
    a.byebyeMessage({ nt: 'upnp:rootdevice', usn: `${rootUdn}::upnp:rootdevice` }).toString('latin1'),
    'NOTIFY * HTTP/1.1\r\n' +
      'HOST: 239.255.255.250:1900\r\n' +
      'NT: upnp:rootdevice\r\n' +
      'NTS: ssdp:byebye\r\n' +
      `USN: ${rootUdn}::upnp:rootdevice\r\n` +
      'BOOTID.UPNP.ORG: 7\r\n' +
      'CONFIGID.UPNP.ORG: 3\r\n' +
      '\r\n',
  );
});

test('UDA 1.0 1.2.3 / UDA 1.1 1.3.3: searchResponse has exactly the search response headers, DATE in RFC 1123 form', () => {
  const a = advertiser();
  assert.equal(
    a.searchResponse(rootUdn, rootUdn).toString('latin1'),
    'HTTP/1.1 200 OK\r\n' +
      'CACHE-CONTROL: max-age=1800\r\n' +
      'DATE: Tue, 02 Jan 2024 03:04:05 GMT\r\n' +
      'EXT: \r\n' +
      'LOCATION: http://127.0.0.1:4321/description.xml\r\n' +
      'SERVER: Linux/6.1 UPnP/1.0 hometel/0.1\r\n' +
      `ST: ${rootUdn}\r\n` +
      `USN: ${rootUdn}\r\n` +
      'BOOTID.UPNP.ORG: 7\r\n' +
      'CONFIGID.UPNP.ORG: 3\r\n' +
      '\r\n',
  );
});
