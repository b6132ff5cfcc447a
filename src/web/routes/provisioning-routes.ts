/**
 * The provisioned devices over HTTP (issue 15): list, one device, add, enroll or change, remove, ask for a resync
 * (check-sync), rotate its provisioning secret, preview its files (secrets masked), and — for the page's "show"
 * button only — its secret and the URLs a phone is pointed at. Every route is one call of the provisioning service;
 * its ProvisioningErrors become 400 (invalid), 404 (not-found) and 409 (conflict) in the server's error handler.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Logger } from '../../base/index.js';
import { parseMac, ProvisioningError, type Device as Registered, type DeviceChanges, type DeviceFiles, type ProvisioningService } from '../../provisioning/index.js';
import { Device, DeviceChange, DeviceList, DeviceParams, DeviceSecret, FilePreviewList, NewDevice, type DeviceChangeBody } from '../provisioning-schemas.js';

/** Where phones fetch their files, by the web port (the app knows the registrar's host and the configured URL). */
export interface ProvisioningUrls {
  /** The provisioning URL phones are told, ending in `/`; a device's secret path follows it. */
  readonly http?: string;
  /** tftp://host:port/ when hometel serves TFTP. */
  readonly tftp?: string;
}

export interface ProvisioningRouteOptions {
  readonly service: ProvisioningService;
  /** The configuration server's previews; without it GET …/files answers 404 provisioning.no-previews. */
  readonly files?: DeviceFiles;
  /** HTTP by default: http://<the Host the request was sent to>/provisioning/. */
  readonly urls?: (webPort: number) => ProvisioningUrls;
  readonly logger: Logger;
}

const refused = { 400: Type.Ref('Error'), 404: Type.Ref('Error'), 409: Type.Ref('Error') };
const tags = ['provisioning'];

/** The schema leaves vendor names to the service, whose refusal names the vendors there are. */
const changesOf = (body: DeviceChangeBody): DeviceChanges => body as DeviceChanges;

/** A device as answered (its extensions as a plain array). */
const view = (d: Registered) => ({ ...d, extensions: [...d.extensions] });

/** The MAC of a path, any form (a bad one is a clear 400). */
function macOf(text: string): string {
  const mac = parseMac(text);
  if (mac === undefined) throw new ProvisioningError('invalid', `not a MAC address: ${JSON.stringify(text)}`);
  return mac;
}

export function provisioningRoutes(o: ProvisioningRouteOptions): FastifyPluginAsyncTypebox {
  const { service } = o;
  const existing = (text: string) => {
    const mac = macOf(text);
    const device = service.device(mac);
    if (!device) throw new ProvisioningError('not-found', `no device ${mac}`);
    return device;
  };
  return async (app) => {
    app.get('/api/provisioning/devices', { schema: { tags, summary: 'The devices, pending and enrolled, with their last fetch and notification', response: { 200: DeviceList } } }, async () => ({
      devices: service.devices().map(view),
    }));
    app.get('/api/provisioning/devices/:mac', { schema: { tags, summary: 'One device', params: DeviceParams, response: { 200: Device, ...refused } } }, async (req) => view(existing(req.params.mac)));
    app.post('/api/provisioning/devices', { schema: { tags, summary: 'Adds a device not seen yet (or changes one); with extensions it is enrolled', body: NewDevice, response: { 201: Device, ...refused } } }, async (req, reply) => {
      const { mac, ...changes } = req.body;
      return reply.code(201).send(view(service.add(mac, changesOf(changes))));
    });
    app.patch(
      '/api/provisioning/devices/:mac',
      { schema: { tags, summary: 'Enrolls a device to extensions, or changes its vendor, model or template (no extensions: pending again)', params: DeviceParams, body: DeviceChange, response: { 200: Device, ...refused } } },
      async (req) => view(service.add(existing(req.params.mac).mac, changesOf(req.body))),
    );
    app.delete('/api/provisioning/devices/:mac', { schema: { tags, summary: 'Forgets a device', params: DeviceParams, response: { 204: Type.Null(), ...refused } } }, async (req, reply) => {
      service.remove(macOf(req.params.mac));
      return reply.code(204).send(null);
    });
    app.post(
      '/api/provisioning/devices/:mac/resync',
      { schema: { tags, summary: 'Asks hometel to tell the phone to fetch its configuration again (check-sync)', params: DeviceParams, response: { 200: Device, ...refused } } },
      async (req) => view(service.resync(macOf(req.params.mac))),
    );
    app.post(
      '/api/provisioning/devices/:mac/rotate-secret',
      { schema: { tags, summary: 'A new provisioning secret: the old secret path and Digest password stop working', params: DeviceParams, response: { 200: Device, ...refused } } },
      async (req) => view(service.rotateSecret(macOf(req.params.mac))),
    );
    app.get(
      '/api/provisioning/devices/:mac/files',
      { schema: { tags, summary: 'The files the device fetches, rendered now, every secret masked', params: DeviceParams, response: { 200: FilePreviewList, ...refused } } },
      async (req, reply) => {
        const device = existing(req.params.mac);
        if (!o.files) return reply.code(404).send({ error: 'provisioning.no-previews', message: 'this hub renders no provisioning files to preview' });
        return { files: await o.files.preview(device.mac) };
      },
    );
    app.get(
      '/api/provisioning/devices/:mac/secret',
      { schema: { tags, summary: "The device's provisioning secret and the URLs to point it at (shown on request only)", params: DeviceParams, response: { 200: DeviceSecret, ...refused } } },
      async (req) => {
        const device = existing(req.params.mac);
        const secret = service.deviceSecret(device.mac);
        if (secret === undefined) throw new ProvisioningError('conflict', `device ${device.mac} is pending: enroll it first`);
        const urls = o.urls?.(req.socket.localPort ?? 0) ?? {};
        const http = urls.http ?? `${req.protocol}://${req.host}/provisioning/`;
        // Who looked is worth a line; the secret never is.
        o.logger.info('device secret shown', { mac: device.mac, source: req.ip });
        return { mac: device.mac, secret, http: `${http}${secret}/`, ...(urls.tftp !== undefined ? { tftp: `${urls.tftp}${secret}/` } : {}), digest: { user: device.mac, password: secret } };
      },
    );
  };
}
