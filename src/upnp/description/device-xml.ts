/** Device description (UDA 1.0 section 2.1) for a root device and its embedded devices, both directions. */
import type { DeviceInfo } from '../model/device-model.js';
import { childByName, childElements, childText, parseXml, sameNamespace, textElement, type Element } from '../xml/safe-xml.js';

export const deviceNs = 'urn:schemas-upnp-org:device-1-0';

export interface DescribedService {
  readonly serviceType: string;
  readonly serviceId: string;
  readonly scpdUrl: string;
  readonly controlUrl: string;
  readonly eventSubUrl: string;
}

export interface DescribedDevice {
  readonly info: DeviceInfo;
  readonly services: readonly DescribedService[];
  readonly devices: readonly DescribedDevice[];
}

const infoElements: Array<[keyof DeviceInfo, string]> = [
  ['deviceType', 'deviceType'],
  ['friendlyName', 'friendlyName'],
  ['manufacturer', 'manufacturer'],
  ['manufacturerURL', 'manufacturerURL'],
  ['modelDescription', 'modelDescription'],
  ['modelName', 'modelName'],
  ['modelNumber', 'modelNumber'],
  ['modelURL', 'modelURL'],
  ['serialNumber', 'serialNumber'],
  ['udn', 'UDN'],
];

function deviceXml(d: DescribedDevice): string {
  let x = '<device>';
  for (const [key, tag] of infoElements) {
    const v = d.info[key];
    if (v !== undefined) x += textElement(tag, v);
  }
  if (d.services.length) {
    x += '<serviceList>';
    for (const s of d.services) {
      x +=
        '<service>' +
        textElement('serviceType', s.serviceType) +
        textElement('serviceId', s.serviceId) +
        textElement('SCPDURL', s.scpdUrl) +
        textElement('controlURL', s.controlUrl) +
        textElement('eventSubURL', s.eventSubUrl) +
        '</service>';
    }
    x += '</serviceList>';
  }
  if (d.devices.length) x += `<deviceList>${d.devices.map(deviceXml).join('')}</deviceList>`;
  if (d.info.presentationURL !== undefined) x += textElement('presentationURL', d.info.presentationURL);
  return x + '</device>';
}

export function buildDeviceDescription(root: DescribedDevice, configId: number): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?>\r\n' +
    `<root xmlns="${deviceNs}" configId="${configId}"><specVersion><major>1</major><minor>0</minor></specVersion>` +
    deviceXml(root) +
    '</root>\r\n'
  );
}

function resolve(url: string, base: string): string {
  try {
    return new URL(url.trim(), base).toString();
  } catch {
    return '';
  }
}

function parseDevice(el: Element, base: string): DescribedDevice {
  const info: Record<string, string> = {};
  for (const [key, tag] of infoElements) {
    const v = childText(el, tag);
    if (v !== undefined) info[key] = v.trim();
  }
  const pres = childText(el, 'presentationURL');
  if (pres !== undefined) info.presentationURL = resolve(pres, base);
  const services: DescribedService[] = [];
  const list = childByName(el, 'serviceList');
  for (const s of list ? childElements(list) : []) {
    services.push({
      serviceType: childText(s, 'serviceType')?.trim() ?? '',
      serviceId: childText(s, 'serviceId')?.trim() ?? '',
      scpdUrl: resolve(childText(s, 'SCPDURL') ?? '', base),
      controlUrl: resolve(childText(s, 'controlURL') ?? '', base),
      eventSubUrl: resolve(childText(s, 'eventSubURL') ?? '', base),
    });
  }
  const devList = childByName(el, 'deviceList');
  const devices = (devList ? childElements(devList) : []).filter((d) => d.localName === 'device').map((d) => parseDevice(d, base));
  return {
    info: {
      deviceType: info.deviceType ?? '',
      friendlyName: info.friendlyName ?? '',
      manufacturer: info.manufacturer ?? '',
      modelName: info.modelName ?? '',
      ...info,
      udn: info.udn ?? '',
    },
    services,
    devices,
  };
}

/** Parses a root description fetched from `location`; relative URLs resolve against URLBase or the location. */
export function parseDeviceDescription(text: string, location: string): { ok: true; value: DescribedDevice } | { ok: false; reason: string } {
  const parsed = parseXml(text);
  if (!parsed.ok) return parsed;
  const root = parsed.doc.documentElement!;
  if (root.localName !== 'root' || !sameNamespace(root.namespaceURI, deviceNs)) return { ok: false, reason: 'not a device description' };
  const device = childByName(root, 'device');
  if (!device) return { ok: false, reason: 'description without device' };
  const base = childText(root, 'URLBase')?.trim() || location;
  const value = parseDevice(device, base);
  if (!value.info.udn) return { ok: false, reason: 'device without UDN' };
  return { ok: true, value };
}

/** The root device and every embedded device, depth first. */
export function flattenDevices(root: DescribedDevice): DescribedDevice[] {
  return [root, ...root.devices.flatMap(flattenDevices)];
}
