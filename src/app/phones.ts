/**
 * The phones of the home (issue 14), wired: the phones' SIP side on the registrar's address and port and the parts
 * that answer it — the registrar (Digest, rate limits), the phones ringing with the screens on every line, the lamps
 * and presence (SUBSCRIBE/NOTIFY), and calls from phones by the dial plan (feature codes, the voicemail menu, and
 * Calls at a Telephony Server: out on a line, to another extension, to a TelCP of the home). Runs only when the config
 * has a `phones` section.
 */
import type { Clock, Logger } from '../base/index.js';
import type { CallHandlingService } from '../callhandling/index.js';
import type { PortPool } from '../media/index.js';
import { DialPlan, type PasswordVault, type PhoneDialog, type PhoneDialogState, type PhonesService } from '../phones/index.js';
import { carryPhoneCall, DigestAuthenticator, PhoneRegistrar, PhoneSide, routePhoneInvites, type CallTarget } from '../sip/pbx/index.js';
import type { PhoneCallee, PhoneCallerLeg, PhoneCallRequest, PlacedPhoneCall } from '../telephony/domain/index.js';
import type { CallManagementService } from '../telephony/index.js';
import type { Store } from '../store/index.js';
import type { VoiceMailService } from '../voicemail/index.js';
import type { PhonesConfig } from './config.js';
import { callHandlingDnd, noMessages, startPhoneLamps, voicemailMessages, type LineCalls, type PresenceRelay, type RunningLamps } from './phone-lamps.js';
import { phoneFeatures } from './phone-features.js';
import { PhoneMedia } from './phone-media.js';
import { ringPhonesWithScreens, type PhoneRingingOptions } from './phone-ringing.js';
import { phonesOver } from './phones-admin.js';
import { VoicemailAccess } from './voicemail-access.js';

/** What `hometel start` has for the phones beyond the registrar: the home's services, lines and media ports. */
export interface PhonesHome {
  readonly callHandling: CallHandlingService;
  readonly voicemail?: VoiceMailService;
  /** Every line's Calls (busy lamps of the lines), in the config's order. */
  readonly lines: readonly LineCalls[];
  /** Where hometel's own media for phone calls (feature confirmations, the voicemail menu) takes its ports. */
  readonly rtpPorts: PortPool;
  /** Whether a name is a TelCPName or a Telephony Client's (the dial plan calls those inside the home). */
  readonly isHomeName: (name: string) => boolean;
  /** The presence relay the Telephony Servers and the web application serve; the lamps' presence attaches to it. */
  readonly presence?: PresenceRelay;
}

export interface PhonesOptions {
  readonly config: PhonesConfig;
  /** hometel's address (the first interface's): the registrar's when the config names none. */
  readonly address: string;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Every line's Telephony Server: the phones ring with its screens. */
  readonly servers?: PhoneRingingOptions['servers'];
  readonly home?: PhonesHome;
  /** Keeps passwords readable for provisioned phones (issue 15). */
  readonly vault?: PasswordVault;
}

export interface RunningPhones {
  readonly side: PhoneSide;
  /** The phones service over the store (extensions, bindings, their events). */
  readonly service: PhonesService;
  /** The Digest check every part of the phones' side runs first. */
  readonly authenticator: DigestAuthenticator;
  readonly lamps?: RunningLamps;
  stop(): Promise<void>;
}

export async function startPhones(o: PhonesOptions): Promise<RunningPhones> {
  const { registrar } = o.config;
  const logger = o.logger.child('phones');
  const side = new PhoneSide({
    host: registrar.host ?? o.address,
    port: registrar.port,
    transports: registrar.transports,
    realm: registrar.realm,
    clock: o.clock,
    logger,
  });
  const service = phonesOver(o.store, registrar.realm, o.clock, o.logger, o.vault);
  const authenticator = new DigestAuthenticator({
    realm: registrar.realm,
    directory: service,
    clock: o.clock,
    algorithms: registrar.digestAlgorithms,
    logger: logger.child('auth'),
    describe: () => side.userAgent.describe('response'),
  });
  new PhoneRegistrar({ side, authenticator, phones: service, config: registrar, clock: o.clock, logger: logger.child('registrar') });
  await side.start();
  // Bindings stored before a restart are live again; those that expired meanwhile go now.
  const stopSweeping = service.startSweeping();
  const home = o.home;
  const lamps = home
    ? startPhoneLamps({
        side,
        directory: service,
        authenticator,
        messages: home.voicemail ? voicemailMessages(home.voicemail) : noMessages,
        dnd: callHandlingDnd(home.callHandling),
        lines: home.lines,
        homeNetworks: registrar.homeNetworks,
        minExpires: registrar.minExpires,
        maxExpires: registrar.maxExpires,
        logger,
      })
    : undefined;
  if (lamps) home?.presence?.attach(lamps.presence);
  const phoneLine = o.servers ? ringPhonesWithScreens({ side, directory: service, servers: o.servers, ...(lamps ? { dialogs: lamps.dialogs } : {}), logger: o.logger }) : undefined;
  const media = home ? new PhoneMedia({ address: side.host, ports: home.rtpPorts, clock: o.clock, logger: logger.child('calls') }) : undefined;
  if (home && media) {
    const plan = new DialPlan(
      { line: o.config.dialPlan.line ?? home.lines[0]?.name ?? '', ...o.config.dialPlan },
      { isExtension: (n) => service.extension(n) !== undefined, isHomeName: home.isHomeName },
    );
    // A phone that answered transfers by the same plan (REFER, issue 14 "Transfer").
    phoneLine?.routeTransfers(plan);
    const servers = o.servers ?? [];
    const lineAt = (name: string | undefined): (typeof servers)[number] | undefined => servers[home.lines.findIndex((l) => l.name === name)];
    const planLine = o.config.dialPlan.line ?? home.lines[0]?.name;
    // Outside numbers go out on the line the plan names; a name of the home is called at the TS it is registered at;
    // the rest (extensions) at the plan's line's TS (docs/decisions.md).
    const serverFor = (target: CallTarget): (typeof servers)[number] | undefined => {
      if (target.kind === 'outside') return lineAt(target.line);
      if (target.kind === 'home') return servers.find((s) => s.registry?.isRegistered(target.name)) ?? lineAt(planLine);
      return lineAt(planLine);
    };
    const feature = phoneFeatures({ media, callHandling: home.callHandling, ...(home.voicemail ? { voicemail: new VoicemailAccess(home.voicemail, media, logger.child('voicemail')) } : {}), logger });
    routePhoneInvites({
      side,
      authenticator,
      plan,
      routes: {
        feature,
        // Every call to an extension, a name of the home or an outside number is a Call at a Telephony Server.
        call: (target, extension, session) => {
          const server = serverFor(target);
          if (!server) {
            logger.warn('phone call refused: no line for it', { extension, to: target.kind });
            session.reject(503, 'Service Unavailable (no line for this call)');
            return;
          }
          const callee: PhoneCallee = target.kind === 'outside' ? { kind: 'number', number: target.number } : target;
          const displayName = service.extension(extension)?.displayName;
          const request = { extension, callee, ...(displayName ? { displayName } : {}), ...(session.remoteSdp ? { sdpOffer: session.remoteSdp } : {}) };
          carryPhoneCall(session, (leg) => placeWithLamp(server.service, request, leg, lamps?.dialogs), logger.child('calls'), { plan, extension });
        },
      },
      logger,
    });
  }
  return {
    side,
    service,
    authenticator,
    ...(lamps ? { lamps } : {}),
    stop: async () => {
      stopSweeping();
      home?.presence?.release();
      lamps?.stop();
      await media?.close();
      await side.stop();
    },
  };
}

/** Places a phone's Call with its caller's busy lamp following it (RFC 4235: initiator, early → confirmed → terminated). */
function placeWithLamp(
  ts: CallManagementService,
  request: PhoneCallRequest,
  leg: PhoneCallerLeg,
  dialogs: { report(extension: string, dialog: PhoneDialog): void } | undefined,
): PlacedPhoneCall | undefined {
  const remote = { identity: request.callee.kind === 'home' ? request.callee.name : request.callee.number };
  const lamp = { id: '' };
  const report = (state: PhoneDialogState): void => {
    if (lamp.id !== '') dialogs?.report(request.extension, { id: lamp.id, direction: 'initiator', state, remote });
  };
  const placed = ts.placeForPhone(request, {
    ringing: () => leg.ringing(),
    answered: (sdp) => (report('confirmed'), leg.answered(sdp)),
    failed: (reason) => (report('terminated'), leg.failed(reason)),
    ended: () => (report('terminated'), leg.ended()),
  });
  if (!placed) return undefined;
  lamp.id = placed.callID;
  report('early');
  return { callID: placed.callID, end: () => (report('terminated'), placed.end()), transfer: (target, progress) => placed.transfer(target, progress) };
}
