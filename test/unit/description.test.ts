/** Device description (UDA 1.0 section 2.1) and service description (SCPD, UDA 1.0 section 2.3). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildDeviceDescription,
  deviceNs,
  flattenDevices,
  parseDeviceDescription,
  type DescribedDevice,
  type DescribedService,
} from '../../src/upnp/description/device-xml.js';
import { buildScpd, parseScpd, serviceNs } from '../../src/upnp/description/scpd-xml.js';
import { echoContract, switchPowerContract } from '../support/switch-power.js';

const rootUdn = 'uuid:11111111-2222-3333-4444-555555555555';
const embUdn = 'uuid:66666666-7777-8888-9999-000000000000';
const deepUdn = 'uuid:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';

const tree: DescribedDevice = {
  info: {
    deviceType: 'urn:schemas-upnp-org:device:BinaryLight:1',
    friendlyName: 'Kitchen light & "friends" <1>',
    manufacturer: 'hometel',
    manufacturerURL: 'http://example.invalid/',
    modelDescription: 'a light',
    modelName: 'HL-1',
    modelNumber: '1',
    modelURL: 'http://example.invalid/hl-1',
    serialNumber: 'SN 42',
    udn: rootUdn,
    presentationURL: 'http://example.invalid/ui',
  },
  services: [
    {
      serviceType: 'urn:schemas-upnp-org:service:SwitchPower:1',
      serviceId: 'urn:upnp-org:serviceId:SwitchPower',
      scpdUrl: '/upnp/root/SwitchPower/scpd.xml',
      controlUrl: 'SwitchPower/control',
      eventSubUrl: '/upnp/root/SwitchPower/event',
    },
  ],
  devices: [
    {
      info: {
        deviceType: 'urn:schemas-hometel-org:device:Sensor:1',
        friendlyName: 'Embedded',
        manufacturer: 'hometel',
        modelName: 'S-1',
        udn: embUdn,
      },
      services: [
        {
          serviceType: 'urn:schemas-hometel-org:service:Echo:1',
          serviceId: 'urn:hometel-org:serviceId:Echo',
          scpdUrl: 'echo/scpd.xml',
          controlUrl: 'echo/control',
          eventSubUrl: 'echo/event',
        },
      ],
      devices: [
        {
          info: { deviceType: 'urn:schemas-hometel-org:device:Deep:1', friendlyName: 'Deep', manufacturer: 'h', modelName: 'D', udn: deepUdn },
          services: [],
          devices: [],
        },
      ],
    },
  ],
};

/** The tree as a parser must return it: every service URL resolved against `base`. */
function resolved(d: DescribedDevice, base: string): DescribedDevice {
  const abs = (u: string): string => new URL(u, base).toString();
  return {
    info: d.info,
    services: d.services.map(
      (s): DescribedService => ({ ...s, scpdUrl: abs(s.scpdUrl), controlUrl: abs(s.controlUrl), eventSubUrl: abs(s.eventSubUrl) }),
    ),
    devices: d.devices.map((c) => resolved(c, base)),
  };
}

test('UDA 1.0 2.1: buildDeviceDescription writes root in the device namespace with specVersion 1.0 and configId', () => {
  const xml = buildDeviceDescription(tree, 9);
  assert.match(xml, /^<\?xml version="1\.0" encoding="utf-8"\?>/);
  assert.ok(xml.includes(`<root xmlns="${deviceNs}" configId="9"><specVersion><major>1</major><minor>0</minor></specVersion><device>`), xml);
  assert.ok(xml.includes('<friendlyName>Kitchen light &amp; &quot;friends&quot; &lt;1&gt;</friendlyName>'), 'text is escaped');
  assert.ok(xml.includes(`<UDN>${rootUdn}</UDN>`));
  assert.ok(xml.includes('<deviceList><device>'), 'embedded devices go into deviceList');
  // UDA 1.0 2.1 element order: ..., serviceList, deviceList, presentationURL.
  assert.ok(xml.indexOf('<serviceList>') < xml.indexOf('<deviceList>'));
  assert.ok(xml.indexOf('</deviceList>') < xml.indexOf('<presentationURL>'));
});

test('UDA 1.0 2.1: a description with embedded devices round trips; relative URLs resolve against the location', () => {
  const location = 'http://127.0.0.1:4000/dev/description.xml';
  const parsed = parseDeviceDescription(buildDeviceDescription(tree, 1), location);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
  assert.deepEqual(parsed.value, resolved(tree, location));
  const svc = parsed.value.services[0]!;
  assert.equal(svc.scpdUrl, 'http://127.0.0.1:4000/upnp/root/SwitchPower/scpd.xml');
  assert.equal(svc.controlUrl, 'http://127.0.0.1:4000/dev/SwitchPower/control');
  assert.equal(parsed.value.devices[0]!.services[0]!.controlUrl, 'http://127.0.0.1:4000/dev/echo/control');
  assert.deepEqual(
    flattenDevices(parsed.value).map((d) => d.info.udn),
    [rootUdn, embUdn, deepUdn],
  );
});

test('UDA 1.0 2.1: URLBase, when present, is the base for relative URLs (also in embedded devices)', () => {
  const withBase = buildDeviceDescription(tree, 1).replace(
    '</specVersion>',
    '</specVersion><URLBase> http://127.0.0.1:5000/base/ </URLBase>',
  );
  const parsed = parseDeviceDescription(withBase, 'http://127.0.0.1:4000/dev/description.xml');
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
  assert.deepEqual(parsed.value, resolved(tree, 'http://127.0.0.1:5000/base/'));
  assert.equal(parsed.value.services[0]!.controlUrl, 'http://127.0.0.1:5000/base/SwitchPower/control');
  assert.equal(parsed.value.services[0]!.scpdUrl, 'http://127.0.0.1:5000/upnp/root/SwitchPower/scpd.xml');
  assert.equal(parsed.value.devices[0]!.services[0]!.eventSubUrl, 'http://127.0.0.1:5000/base/echo/event');
});

test('UDA 1.0 2.1: a relative presentationURL resolves like the other URLs', () => {
  const d: DescribedDevice = { ...tree, info: { ...tree.info, presentationURL: 'ui/index.html' }, devices: [] };
  const parsed = parseDeviceDescription(buildDeviceDescription(d, 1), 'http://127.0.0.1:4000/dev/description.xml');
  assert.ok(parsed.ok);
  assert.equal(parsed.value.info.presentationURL, 'http://127.0.0.1:4000/dev/ui/index.html');
});

test('UDA 1.0 2.1: descriptions that are not a root in the device namespace, lack a device or a UDN, are refused', () => {
  const loc = 'http://127.0.0.1:4000/description.xml';
  assert.equal(parseDeviceDescription('<root><device><UDN>uuid:x</UDN></device></root>', loc).ok, false, 'no namespace');
  assert.equal(parseDeviceDescription(`<root xmlns="${deviceNs}"/>`, loc).ok, false, 'no device');
  assert.equal(parseDeviceDescription(`<root xmlns="${deviceNs}"><device><friendlyName>x</friendlyName></device></root>`, loc).ok, false, 'no UDN');
  assert.equal(parseDeviceDescription(`<scpd xmlns="${serviceNs}"/>`, loc).ok, false, 'an SCPD');
  assert.equal(parseDeviceDescription('<root', loc).ok, false, 'malformed');
});

test('UDA 1.0 2.1: a namespace with a stray space and padded element text are tolerated', () => {
  const parsed = parseDeviceDescription(
    `<root xmlns="${deviceNs} "><device><deviceType> urn:schemas-upnp-org:device:BinaryLight:1 </deviceType><UDN>\n ${rootUdn}\n</UDN></device></root>`,
    'http://127.0.0.1:4000/description.xml',
  );
  assert.ok(parsed.ok);
  assert.equal(parsed.value.info.udn, rootUdn);
  assert.equal(parsed.value.info.deviceType, 'urn:schemas-upnp-org:device:BinaryLight:1');
});

test('UDA 1.0 2.3: buildScpd writes scpd in the service namespace, sendEvents attributes, allowed values and range', () => {
  const xml = buildScpd(echoContract);
  assert.ok(xml.includes(`<scpd xmlns="${serviceNs}"><specVersion><major>1</major><minor>0</minor></specVersion>`), xml);
  assert.ok(xml.includes('<stateVariable sendEvents="yes"><name>LastText</name><dataType>string</dataType></stateVariable>'), xml);
  assert.ok(xml.includes('<stateVariable sendEvents="no"><name>A_ARG_TYPE_Text</name>'), xml);
  assert.ok(xml.includes('<allowedValueList><allowedValue>plain</allowedValue><allowedValue>loud</allowedValue></allowedValueList>'), xml);
  assert.ok(xml.includes('<allowedValueRange><minimum>-1000</minimum><maximum>1000</maximum></allowedValueRange>'), xml);
  assert.ok(
    xml.includes(
      '<argument><name>Text</name><direction>in</direction><relatedStateVariable>A_ARG_TYPE_Text</relatedStateVariable></argument>',
    ),
    xml,
  );
});

test('UDA 1.0 2.3: the Echo contract round trips through buildScpd/parseScpd', () => {
  const parsed = parseScpd(buildScpd(echoContract), echoContract.serviceType, echoContract.serviceId);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
  assert.deepEqual(parsed.value, echoContract);
});

test('UDA 1.0 2.3: the SwitchPower contract (with defaultValue) round trips through buildScpd/parseScpd', () => {
  const xml = buildScpd(switchPowerContract);
  assert.ok(xml.includes('<stateVariable sendEvents="no"><name>Target</name><dataType>boolean</dataType><defaultValue>0</defaultValue></stateVariable>'), xml);
  const parsed = parseScpd(xml, switchPowerContract.serviceType, switchPowerContract.serviceId);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
  assert.deepEqual(parsed.value, switchPowerContract);
});

test('UDA 1.0 2.3: allowedValueRange step, retval and an empty defaultValue round trip', () => {
  const contract = {
    serviceType: 'urn:schemas-hometel-org:service:Dial:1',
    serviceId: 'urn:hometel-org:serviceId:Dial',
    actions: [
      {
        name: 'GetLevel',
        arguments: [{ name: 'Level', direction: 'out' as const, relatedStateVariable: 'Level', retval: true }],
      },
      { name: 'Reset', arguments: [] },
    ],
    stateVariables: [
      { name: 'Level', dataType: 'ui1' as const, sendEvents: true, allowedRange: { minimum: 0, maximum: 100, step: 5 }, defaultValue: '50' },
      { name: 'Label', dataType: 'string' as const, sendEvents: false, defaultValue: '' },
    ],
  };
  const parsed = parseScpd(buildScpd(contract), contract.serviceType, contract.serviceId);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
  assert.deepEqual(parsed.value, contract);
});

test('UDA 1.0 2.3: sendEvents defaults to yes, unknown data types read as string, non-SCPD documents are refused', () => {
  const parsed = parseScpd(
    `<scpd xmlns="${serviceNs}"><serviceStateTable><stateVariable><name>V</name><dataType>i8</dataType></stateVariable></serviceStateTable></scpd>`,
    'urn:x:service:Y:1',
    'urn:x:serviceId:Y',
  );
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value.stateVariables, [{ name: 'V', dataType: 'string', sendEvents: true }]);
  assert.deepEqual(parsed.value.actions, []);
  assert.equal(parseScpd(`<root xmlns="${deviceNs}"/>`, 'a', 'b').ok, false);
  assert.equal(parseScpd('<scpd/>', 'a', 'b').ok, false);
});
