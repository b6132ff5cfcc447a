/**
 * Composition: the one place that creates hometel's parts and wires them together — the store, a
 * Telephony Server device per configured line embedded in one root device (UPnP Telephony
 * architecture, figure 5) with its SIP line, and the device host that serves them.
 */
import { errorMessage, resolveInterface, systemClock, type Logger } from '../base/index.js';
import { PortPool } from '../media/index.js';
import { RelayMediaPlane } from '../media/bridge/index.js';
import { Store } from '../store/index.js';
import { SipLine } from '../sip/bridge/index.js';
import { callOutcomes, defaultMediaProfile, UnconnectedLine, type Line } from '../telephony/index.js';
import { DeviceHost } from '../upnp/index.js';
import { HometelMetrics } from '../metrics/index.js';
import { isDefaultEcho, isDefaultWeb, type HometelConfig, type LineConfig } from './config.js';
import { createTelephonyServer, type TelephonyServerParts } from './telephony-server.js';
import { createTelephonyClient, type TelephonyClientParts } from './telephony-client.js';
import { nativeMediaFactory, NativeMediaOverrides } from './native-media.js';
import { voiceMailOver, voiceMailPort } from './voicemail.js';
import { TcVoiceMailPlayer } from './voicemail-player.js';
import { VoiceMailUpnpService } from '../telephony/voicemail/index.js';
import { EchoService } from './echo/echo-service.js';
import { accountsOver } from './accounts.js';
import { callerDirectory, contactsOver } from './contacts.js';
import { AddressBookService } from '../telephony/addressbook/index.js';
import { CallMonitor } from '../callmonitor/index.js';
import { browserClientHost } from './browser-clients.js';
import { startWebApp, type RunningWebApp } from './web-app.js';
import { createCallHandling, genaLiveness } from './call-handling.js';
import { openRules } from './call-rules.js';
import { startPhones, type PhonesHome, type RunningPhones } from './phones.js';
import { startProvisioning, type RunningProvisioning } from './provisioning.js';
import { provisioningKeys } from './provisioning-keys.js';
import { provisioningUrls } from './provisioning-urls.js';
import { PresenceRelay } from './phone-lamps.js';
import { PresenceUpnpService } from '../telephony/presence/index.js';

export const rootDeviceType = 'urn:schemas-upnp-org:device:Basic:1';

export interface RunningHometel {
  readonly locations: readonly string[];
  readonly udn: string;
  /** The echo test endpoint's SIP URI, when it runs. */
  readonly echo?: string;
  /** The web application's URL, and on the first start the one-time setup link, when it runs. */
  readonly web?: { readonly url: string; readonly setupLink?: string };
  /** The figures of /metrics, fed by every line, relay, device host and browser client. */
  readonly metrics: HometelMetrics;
  stop(): Promise<void>;
}

export async function startHometel(config: HometelConfig, logger: Logger): Promise<RunningHometel> {
  const interfaces = config.interfaces.map(resolveInterface);
  const store = Store.open(config.dataDir);
  const udn = store.udnFor('root');
  // The home's address book: the Telephony Servers name callers from it, the web application and the AddressBook
  // service serve it.
  const contacts = contactsOver(store, config, systemClock, logger);
  const directory = callerDirectory(contacts);
  // One AddressBook service on every line's Telephony Server device (seed 000 6.2.7).
  const addressBook = new AddressBookService({ port: contacts, clock: systemClock });
  // hometel's vendor services on every line's Telephony Server device (call handling, voicemail), made per line.
  // The home's voicemail: Calls sent to it get the service's greeting and recorder as their TS-native media.
  const voicemail = config.voicemail.enabled ? voiceMailOver(store, config, systemClock, logger) : undefined;
  const nativeOverrides = new NativeMediaOverrides();
  const voiceMail = voicemail ? voiceMailPort(voicemail, nativeOverrides) : undefined;
  const lineServices: NonNullable<Parameters<typeof createTelephonyServer>[0]['lineServices']>[number][] = [];
  // Incoming calls for the whole home (issue 13): one call-handling service over every line, CallHandling:1 on each.
  const rules = openRules(store, config);
  const callHandling = createCallHandling({ config, store, contacts, rules, clock: systemClock, logger });
  // A record of a Call sent to voicemail names its message.
  if (voicemail) callHandling.service.setMessageFinder((line, callID) => voicemail.list().find((m) => m.line === line && m.callID === callID)?.id);
  lineServices.push(callHandling.lineService);
  const clock = systemClock;
  const address = interfaces[0]!.address;
  const { rtpPortMin, rtpPortMax } = config.media;
  const media = defaultMediaProfile(address, rtpPortMin % 2 === 0 ? rtpPortMin : rtpPortMin + 1);
  // The Telephony Servers' media plane: one RTP port range for every line's relay (WAN and home ports).
  const rtpPorts = new PortPool({ min: rtpPortMin, max: rtpPortMax });
  // Each line's VoiceMail service; PlayVoiceMail plays a message on a TC from the media plane's ports.
  const player = voicemail ? new TcVoiceMailPlayer({ interfaces, address, ports: rtpPorts, aliases: Object.fromEntries(config.clients.map((c) => [c.name, c.friendlyName])), clock, logger: logger.child('voicemail') }) : undefined;
  const voiceMailServices: VoiceMailUpnpService[] = [];
  if (voicemail) {
    lineServices.push(({ lineName }) => {
      const service = new VoiceMailUpnpService({ lineName, voicemail, ...(player ? { player } : {}), clock, logger: logger.child('voicemail') });
      voiceMailServices.push(service);
      return service;
    });
  }
  // The phones' presence (issue 14) on every line's Telephony Server and in the web application; the lamps attach it.
  const presence = config.phones ? new PresenceRelay() : undefined;
  const presenceServices: PresenceUpnpService[] = [];
  if (presence) {
    lineServices.push(() => {
      const service = new PresenceUpnpService({ presence, clock });
      presenceServices.push(service);
      return service;
    });
  }
  const planes: RelayMediaPlane[] = [];
  const sipLines: SipLine[] = [];
  // A line with a SIP account speaks SIP; without one its WAN side is unconnected (calls inside the home work).
  const lineOf = (l: LineConfig): Line => {
    if (!l.sip) return new UnconnectedLine((fn) => clock.setTimer(0, fn));
    const sip = new SipLine({
      ...l.sip,
      host: l.sip.host ?? address,
      localSdp: () => media.native ?? media.tcBased,
      clock,
      logger: logger.child(`sip.${l.name}`),
    });
    sipLines.push(sip);
    return sip;
  };
  const wanLines = config.lines.map(lineOf);
  const lines: TelephonyServerParts[] = config.lines.map((l, i) => {
    const mediaLogger = logger.child(`media.${l.name}`);
    const native = nativeMediaFactory(config.media.native, l.name, clock, mediaLogger, nativeOverrides);
    const mediaPlane = new RelayMediaPlane({ address, ports: rtpPorts, clock, logger: mediaLogger, native });
    planes.push(mediaPlane);
    return createTelephonyServer({
      lineName: l.name,
      friendlyName: l.friendlyName,
      store,
      line: wanLines[i]!,
      media,
      mediaPlane,
      directory,
      addressBook,
      lineServices,
      ...(voiceMail ? { voiceMail } : {}),
      forwarding: l.forwarding,
      clock,
      logger,
    });
  });
  // hometel's own Telephony Clients, embedded next to the Telephony Servers.
  const clients: TelephonyClientParts[] = [];
  try {
    for (const c of config.clients) {
      clients.push(
        createTelephonyClient({
          name: c.name,
          friendlyName: c.friendlyName,
          store,
          address,
          rtpPorts: c.rtpPorts,
          source: c.source,
          ...(c.recordDir !== undefined ? { recordDir: c.recordDir } : {}),
          video: c.video,
          clock,
          logger,
        }),
      );
    }
  } catch (e) {
    for (const l of lines) l.close();
    callHandling.close();
    addressBook.close();
    for (const v of voiceMailServices) v.close();
    for (const p of presenceServices) p.close();
    voicemail?.close();
    store.close();
    throw e;
  }
  // The echo test endpoint: SIP and RTP of its own, nothing of UPnP.
  let echo = config.echo
    ? new EchoService({
        host: config.echo.host ?? address,
        port: config.echo.port,
        user: config.echo.user,
        transports: config.echo.transports,
        // Its own range when configured, else pairs of the media plane's range (the echo is hometel's too).
        ports: config.echo.rtpPorts ? new PortPool(config.echo.rtpPorts) : rtpPorts,
        maxCalls: config.echo.maxCalls,
        maxSeconds: config.echo.maxSeconds,
        clock,
        logger: logger.child('echo'),
      })
    : undefined;
  const host = new DeviceHost({
    root: {
      info: {
        deviceType: rootDeviceType,
        friendlyName: config.name,
        manufacturer: 'hometel',
        manufacturerURL: 'https://github.com/hometel/hometel',
        modelName: 'hometel',
        modelNumber: '0.1',
        modelDescription: 'Home telephony hub',
        udn,
      },
      services: [],
      devices: [...lines.map((l) => l.device), ...clients.map((c) => c.device)],
    },
    interfaces,
    httpPort: config.httpPort,
    bootId: store.nextBootId(),
    logger: logger.child('upnp'),
  });
  // Metrics: each part is a source, heard as things happen or read when Prometheus scrapes.
  const metrics = new HometelMetrics({ callOutcomes });
  config.lines.forEach((l, i) => metrics.addCallSource(l.name, lines[i]!.service));
  for (const sip of sipLines) metrics.addSipSource(sip);
  for (const plane of planes) metrics.addRtpSource(plane);
  metrics.addGenaSource(host);
  // A TelCP subscribed to a line (not the web console's own) is a screen online.
  callHandling.service.addLivenessSource(genaLiveness(host, lines.map((l) => l.device.info.udn), () => web?.console));
  // The FRITZ!Box-format call monitor: every line's Calls as RING/CALL/CONNECT/DISCONNECT lines.
  const callMonitor = config.callMonitor
    ? new CallMonitor({
        host: resolveInterface(config.callMonitor.interface).address,
        port: config.callMonitor.port,
        lines: config.lines.map((l, i) => ({ name: l.name, identity: () => wanLines[i]!.identity(), onCallChange: (f) => void lines[i]!.service.onCallChange(f) })),
        logger: logger.child('callmonitor'),
      })
    : undefined;
  let web: RunningWebApp | undefined;
  let phones: RunningPhones | undefined;
  let provisioning: RunningProvisioning | undefined;
  // The web application goes first (its control point unregisters), then devices (byebye), then live calls are
  // hung up (BYE), then the SIP lines stop (unREGISTER).
  const close = async (): Promise<void> => {
    await web?.stop();
    await provisioning?.stop();
    await player?.stop();
    await callMonitor?.stop();
    await host.stop();
    for (const l of lines) l.close();
    callHandling.close();
    addressBook.close();
    await Promise.all(planes.map((p) => p.close()));
    for (const c of clients) await c.close();
    await phones?.stop();
    for (const sip of sipLines) await sip.stop();
    await echo?.stop();
    for (const v of voiceMailServices) v.close();
    for (const p of presenceServices) p.close();
    voicemail?.close();
    store.close();
  };
  try {
    voicemail?.start();
    for (const sip of sipLines) await sip.start();
    if (config.phones) {
      const home: PhonesHome = {
        callHandling: callHandling.service,
        ...(voicemail ? { voicemail } : {}),
        lines: config.lines.map((l, i) => ({ name: l.name, onCallChange: (f) => lines[i]!.service.onCallChange(f) })),
        rtpPorts,
        isHomeName: (name) => lines.some((l) => l.registry.isRegistered(name)) || config.clients.some((c) => c.name === name || c.friendlyName === name),
        ...(presence ? { presence } : {}),
      };
      const keys = config.provisioning ? provisioningKeys(store, config.dataDir) : undefined;
      phones = await startPhones({ config: config.phones, address, store, clock, logger, servers: lines, home, ...(keys ? { vault: keys.passwords } : {}) });
      if (config.provisioning && keys) {
        const side = phones.side;
        const registrar = { host: side.host, port: side.port, transport: config.phones.registrar.transports[0] ?? 'udp', realm: side.realm };
        // Without a web application (or before it runs) the URL has no port: phones are then given provisioning.url.
        const baseUrl = (): string => provisioningUrls(config, web ? Number(new URL(web.url).port) : 0).http ?? `http://${side.host}/provisioning/`;
        const files = { registrar, homeNetworks: config.phones.registrar.homeNetworks, dataDir: config.dataDir, baseUrl, phonebook: () => contacts.phonebook('yealink'), onPhonebookChange: (l: () => void) => contacts.onChange(l) };
        const sip = { side, interfaces, ...(phones.lamps ? { notifier: phones.lamps.notifier } : {}) };
        provisioning = await startProvisioning({ config: config.provisioning, store, keys, phones: phones.service, clock, logger, files, sip });
      }
    }
    // A registered phone is a screen online too (issue 14): each extension with a device registered counts one.
    const registered = phones?.service;
    if (registered) callHandling.service.addLivenessSource({ name: 'phones', online: () => registered.registeredExtensions() });
    try {
      await echo?.start();
    } catch (e) {
      // The default echo endpoint is a convenience: a port in use leaves it out; one the config asks for must run.
      if (!isDefaultEcho(config.echo) || (e as { cause?: NodeJS.ErrnoException }).cause?.code !== 'EADDRINUSE') throw e;
      logger.warn('echo test endpoint not started', { why: errorMessage(e) });
      echo = undefined;
    }
    await host.start();
    await callMonitor?.start();
    if (config.web) {
      const webAddress = resolveInterface(config.web.interface).address;
      try {
        web = await startWebApp({
          config: config.web,
          accounts: accountsOver(store, clock, logger),
          contacts,
          ...(voicemail ? { voicemail } : {}),
          // The phones' extensions for the web application (issue 14): the running registrar's service.
          ...(phones ? { phones: phones.service } : {}),
          ...(presence ? { presence } : {}),
          // The configuration server's files at /provisioning/ and the provisioned devices (issue 15).
          ...(provisioning ? { provisioningFiles: provisioning.files, deviceFiles: provisioning.files, provisioning: provisioning.service, provisioningUrls: (port: number) => provisioningUrls(config, port) } : {}),
          interfaces,
          browserClients: browserClientHost({
            interfaces,
            rtpAddress: address,
            rtpPorts,
            iceAddresses: [webAddress],
            bootId: () => store.nextBootId(),
            metrics,
            clock,
            logger,
          }),
          metrics,
          rules,
          callHandling: { service: callHandling.service, lineUdn: (name) => store.udnFor(`line:${name}`) },
          clock,
          logger,
        });
      } catch (e) {
        // As with the echo endpoint: the default web application gives way to a taken port; a configured one must run.
        if (!isDefaultWeb(config.web) || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
        logger.warn('web application not started', { why: errorMessage(e) });
      }
    }
  } catch (e) {
    await close();
    throw e;
  }
  return {
    locations: host.locations,
    udn,
    ...(echo ? { echo: echo.uri } : {}),
    ...(web ? { web: { url: web.url, ...(web.setupLink !== undefined ? { setupLink: web.setupLink } : {}) } } : {}),
    metrics,
    stop: close,
  };
}
