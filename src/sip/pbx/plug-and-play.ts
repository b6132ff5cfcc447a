/**
 * Plug and play (issue 15, RFC 6080 5.1.1 with the desk phones' conventions): a phone that knows no provisioning
 * server multicasts `SUBSCRIBE sip:MAC%3a<mac>@224.0.1.75` with `Event: ua-profile;profile-type="device";vendor=…;
 * model=…;version=…` to port 5060. hometel listens on that group on the configured home interfaces only, lists the
 * device (pending, or auto-enrolled), answers `200 OK` with `Expires: 0` (RFC 6665 4.2.1.1: a one-time fetch; the
 * phone subscribes at the registrar, RFC 6080 style, if it wants more) and sends one NOTIFY with the provisioning URL,
 * `Subscription-State: terminated;reason=timeout`, to the SUBSCRIBE's Contact.
 *
 * The multicast datagrams go through a transaction layer of their own (RFC 3261 17.2.2: a retransmitted SUBSCRIBE
 * gets the same answer again, and no second NOTIFY); the answer leaves from the group socket, unicast to the Via's
 * sent-by / rport (RFC 3581). The NOTIFY is a client transaction of the phones' side's user agent, so its answer
 * finds it at the registrar's port and UDP retransmissions (Timer E) come with it.
 */
import { createSocket } from 'node:dgram';
import { errorMessage, onSubnet, type Logger, type NetworkInterface } from '../../base/index.js';
import type { DeviceIdentity, NotificationRecord, Sighting } from '../../provisioning/index.js';
import {
  Dialog,
  generateTag,
  parseSipMessage,
  responseDestination,
  responseTo,
  serializeSipMessage,
  stampReceived,
  TransactionLayer,
  type SipPeer,
  type ServerTransaction,
  type TimerConfig,
  type UserAgent,
} from '../index.js';
import { answerText } from './message-waiting.js';
import { identityOf, macOfRequest, parseUaProfileEvent, profileBody, uaProfileEvent } from './ua-profile.js';

/** RFC 6080 5.1.1 / IANA: the SIP multicast group ("sip.mcast.net"). */
export const plugAndPlayGroup = '224.0.1.75';

/** The group's socket: bound to 224.0.1.75:`port`, joined on interface addresses (tests give one of their own). */
export interface GroupSocket {
  bind(port: number): Promise<void>;
  join(interfaceAddress: string): void;
  send(data: Uint8Array, to: SipPeer): Promise<void>;
  onDatagram(handler: (data: Buffer, from: SipPeer) => void): void;
  close(): Promise<void>;
}

/** What plug and play needs of the provisioning service. */
export interface PlugAndPlayDevices {
  sighted(identity: DeviceIdentity, sighting: Sighting): unknown;
  recordNotification(mac: string, notification: NotificationRecord): void;
}

export interface PlugAndPlayOptions {
  /** The home interfaces: the group is joined on each, and only their subnets are answered. */
  readonly interfaces: readonly NetworkInterface[];
  /** UDP port of the group (5060 on a real network). */
  readonly port: number;
  /** The phones' side's user agent: it sends the NOTIFYs. */
  readonly userAgent: UserAgent;
  readonly devices: PlugAndPlayDevices;
  /** The URL a device is told (the provisioning URL, with its secret once enrolled). */
  readonly profileUrl: (mac: string) => string;
  readonly timers?: Partial<TimerConfig>;
  /** Default: a UDP socket (SO_REUSEADDR) on the group. */
  readonly socket?: GroupSocket;
  readonly logger: Logger;
}

export class PlugAndPlay {
  private socket?: GroupSocket;
  private layer?: TransactionLayer;

  constructor(private readonly o: PlugAndPlayOptions) {}

  async start(): Promise<void> {
    if (this.socket) return;
    const socket = this.o.socket ?? udpGroupSocket(this.o.logger);
    await socket.bind(this.o.port);
    try {
      // One socket joined on every home interface: with a socket per interface Linux hands each datagram to all of
      // them (IP_MULTICAST_ALL), and each phone would be answered twice.
      for (const i of this.o.interfaces) socket.join(i.address);
    } catch (e) {
      await socket.close();
      throw e;
    }
    socket.onDatagram((data, from) => this.receive(data, from));
    this.socket = socket;
    this.layer = new TransactionLayer({
      transport: {
        sendRequest: () => Promise.reject(new Error('plug and play sends no requests from the group socket')),
        sendResponse: (response, source) => socket.send(serializeSipMessage(response), responseDestination(response, source)),
      },
      delegate: { onRequest: (tx) => this.subscribe(tx) },
      clock: this.o.userAgent.clock,
      logger: this.o.logger.child('tx'),
      ...(this.o.timers ? { timers: this.o.timers } : {}),
    });
    this.o.logger.info('plug and play listening', { group: `${plugAndPlayGroup}:${this.o.port}`, interfaces: this.o.interfaces.map((i) => i.name).join(',') });
  }

  async stop(): Promise<void> {
    this.layer?.close();
    this.layer = undefined;
    const socket = this.socket;
    this.socket = undefined;
    await socket?.close();
  }

  private receive(data: Buffer, from: SipPeer): void {
    if (!this.o.interfaces.some((i) => onSubnet(from.address, i))) {
      this.o.logger.info('plug-and-play datagram from outside the home interfaces ignored', { source: from.address });
      return;
    }
    const parsed = parseSipMessage(data);
    if (!parsed.ok) {
      this.o.logger.info('plug-and-play datagram ignored: not SIP', { source: `${from.address}:${from.port}`, reason: parsed.reason });
      return;
    }
    const m = parsed.message;
    // Only a device-profile ua-profile SUBSCRIBE is ours; anything else on the group is another server's business.
    const event = m.kind === 'request' && m.method === 'SUBSCRIBE' ? parseUaProfileEvent(m.headers.get('Event')) : undefined;
    if (m.kind !== 'request' || !event || event.profileType !== 'device') {
      this.o.logger.debug('plug-and-play datagram ignored', { source: `${from.address}:${from.port}`, message: m.kind === 'request' ? `${m.method} ${m.headers.get('Event') ?? ''}` : `${m.status}` });
      return;
    }
    const stamped = stampReceived(m, from);
    if (!stamped) {
      this.o.logger.info('plug-and-play SUBSCRIBE ignored: no Via', { source: from.address });
      return;
    }
    this.layer?.receive(stamped, from);
  }

  private subscribe(tx: ServerTransaction): void {
    const req = tx.request;
    const ua = this.o.userAgent;
    const tag = generateTag();
    const respond = (status: number, extra: ReadonlyArray<readonly [string, string]> = []): void =>
      tx.respond(responseTo(req, status, undefined, [...extra, ...ua.describe('response')], { toTag: tag }));
    const event = parseUaProfileEvent(req.headers.get('Event'))!;
    const mac = macOfRequest(req);
    const dialog = Dialog.asUas(req, tag);
    if (mac === undefined || !dialog) {
      this.o.logger.info('plug-and-play SUBSCRIBE refused: no device MAC or no Contact', { source: tx.source.address, uri: req.uri });
      respond(400);
      return;
    }
    const address = tx.source.address;
    this.o.devices.sighted(identityOf(mac, event), { via: 'plug-and-play', address });
    respond(200, [['Expires', '0'], ['Contact', ua.contact()]]);
    const body = profileBody(this.o.profileUrl(mac), req.headers.all('Accept'));
    let target = dialog.nextHop();
    ua.send(
      {
        build: () =>
          dialog.createRequest('NOTIFY', {
            body: body.body,
            contentType: body.contentType,
            contact: ua.contact(),
            extra: [['Event', `${uaProfileEvent};profile-type=device`], ['Subscription-State', 'terminated;reason=timeout'], ...ua.describe('request')],
          }),
        nextHop: dialog.nextHop(),
      },
      {
        retry: () => false,
        onTransaction: (_tx, _req, to) => (target = `${to.transport}:${to.address}:${to.port}`),
        onFinal: (r, local) => {
          const answer = answerText(r, local);
          this.o.logger.info('plug-and-play NOTIFY answered', { mac, target, answer });
          this.o.devices.recordNotification(mac, { at: ua.clock.now(), kind: 'plug-and-play', target, answer });
        },
      },
    );
  }
}

/** The group's UDP socket: SO_REUSEADDR (other servers on the host may listen on the group too). */
function udpGroupSocket(logger: Logger): GroupSocket {
  const socket = createSocket({ type: 'udp4', reuseAddr: true });
  return {
    bind: (port) =>
      new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind({ address: plugAndPlayGroup, port, exclusive: false }, () => {
          socket.off('error', reject);
          socket.on('error', (e) => logger.warn('plug-and-play socket error', { error: errorMessage(e) }));
          resolve();
        });
      }),
    join: (address) => socket.addMembership(plugAndPlayGroup, address),
    send: (data, to) => new Promise((resolve, reject) => socket.send(data, to.port, to.address, (e) => (e ? reject(e) : resolve()))),
    onDatagram: (handler) => void socket.on('message', (data, rinfo) => handler(data, { transport: 'udp', address: rinfo.address, port: rinfo.port })),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
