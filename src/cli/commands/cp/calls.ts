/** `hometel cp call|answer|reject|hangup|modify|watch`: the call flows of the spec, run by the TelCP library. */
import { Command, Option } from 'commander';
import type { CallChange, CallMode, CallView, ModifyOptions, TelephonyClient, TsSession } from '../../../telephony/control/index.js';
import { runCp, seconds, UsageError, withCpOptions, type CpContext, type CpOptions } from './context.js';

interface MediaCliOptions extends CpOptions {
  tc?: string[];
  native?: boolean;
  monopolize?: boolean;
}

/** One line about a Call: what a person wants to see of it. */
export function describeCall(v: CallView): string {
  const remote = v.info.remoteParty;
  const who = remote ? [remote.name, remote.id].filter(Boolean).join(' ') : '';
  const reason = v.reason ? ` (${v.reason})` : '';
  const media = v.media.length ? `  clients: ${v.media.map((m) => m.mediaSessionID).join(', ')}` : '';
  const native = v.native.length ? `  TS media: ${v.native.join(', ')}` : '';
  return `${v.callID}  ${v.status}${reason}${who ? `  ${who}` : ''}${media}${native}`;
}

interface CallJson extends Record<string, unknown> {
  readonly callID: string;
  readonly status: string;
}

/** The JSON a script gets for a Call. */
function callJson(v: CallView): CallJson {
  return {
    callID: v.callID,
    status: v.status,
    ...(v.reason ? { reason: v.reason } : {}),
    history: v.history,
    ...(v.direction ? { direction: v.direction } : {}),
    ...(v.info.remoteParty ? { remoteParty: v.info.remoteParty } : {}),
    ...(v.mode ? { mode: v.mode } : {}),
    mediaSessions: v.media.map((m) => ({ client: m.client, mediaSessionID: m.mediaSessionID, media: m.media })),
    native: v.native,
  };
}

function withMedia(cmd: Command): Command {
  return cmd
    .option('--tc <name...>', 'Telephony Clients to use, by friendly name or UDN (default: hometel’s own)')
    .option('--native', 'let the Telephony Server handle the media itself (TS-based media)')
    .option('--monopolize', 'monopolise the call for this control point (PHONE-TelCP; needs --name once)');
}

async function clientsFor(c: CpContext, o: MediaCliOptions): Promise<TelephonyClient[]> {
  if (o.tc?.length) return Promise.all(o.tc.map((ref) => c.client(ref)));
  if (o.native) return [];
  const own = c.localClients();
  if (own.length === 0) throw new UsageError('no Telephony Client found next to the Telephony Server: name one with --tc, or use --native');
  return own.slice(0, 1);
}

function modeOf(o: MediaCliOptions): CallMode {
  return o.monopolize ? 'PHONE-TelCP' : 'Non-Monopolize';
}

/** The one Ringing Call when no CallID is given (waiting for it up to the timeout). */
async function ringing(session: TsSession, timeoutMs: number): Promise<string> {
  const find = (): CallView[] => session.calls().filter((v) => v.status === 'Ringing');
  const end = Date.now() + timeoutMs;
  while (find().length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  const calls = find();
  if (calls.length === 0) throw new UsageError('no incoming call is ringing');
  if (calls.length > 1) throw new UsageError(`several calls are ringing (${calls.map((v) => v.callID).join(', ')}): name one`);
  return calls[0]!.callID;
}

export function callCommand(): Command {
  return withCpOptions(
    withMedia(
      new Command('call')
        .description('place a call (3.1.1): StartCall, then the Telephony Clients’ Media Sessions and StartMediaTransfer; returns at Talking')
        .argument('<callee>', 'a SIP URI (sip:user@host), a number (tel:…) or a TelCPName of the home')
        .addOption(new Option('--priority <p>', 'CallPriority').choices(['Emergency', 'High', 'Normal', 'Low']).default('Normal'))
        .option('--answer-timeout <seconds>', 'give up (cancel) when the callee does not answer in time', '60'),
    ),
  ).action(async (callee: string, o: MediaCliOptions & { priority: string; answerTimeout: string }) => {
    await runCp(
      o,
      async (c) =>
        callJson(
          await c.session.call(callee, {
            clients: await clientsFor(c, o),
            ...(o.native ? { native: true } : {}),
            mode: modeOf(o),
            priority: o.priority as 'Normal',
            connectTimeoutMs: seconds(o.answerTimeout, '--answer-timeout'),
          }),
        ),
      (v) => `${v.callID}  ${v.status}\n`,
    );
  });
}

export function answerCommand(): Command {
  return withCpOptions(
    withMedia(new Command('answer').description('answer an incoming call (3.1.2): AcceptCall, then the media; returns at Talking').argument('[callID]', 'the call (default: the one ringing)')),
  ).action(async (callID: string | undefined, o: MediaCliOptions) => {
    await runCp(
      o,
      async (c) => callJson(await c.session.answer(callID ?? (await ringing(c.session, c.timeoutMs)), { clients: await clientsFor(c, o), ...(o.native ? { native: true } : {}), mode: modeOf(o) })),
      (v) => `${v.callID}  ${v.status}\n`,
    );
  });
}

export function rejectCommand(): Command {
  return withCpOptions(
    new Command('reject')
      .description('reject an incoming call (RejectCall) or a remote modify request')
      .argument('[callID]', 'the call (default: the one ringing)')
      .option('--reason <text>', 'RejectReason; one naming "busy" makes the line answer busy', 'Rejected'),
  ).action(async (callID: string | undefined, o: CpOptions & { reason: string }) => {
    await runCp(o, async (c) => callJson(await c.session.reject(callID ?? (await ringing(c.session, c.timeoutMs)), o.reason)), (v) => `${v.callID}  ${v.status}\n`);
  });
}

export function hangupCommand(): Command {
  return withCpOptions(new Command('hangup').description('end a call (StopCall, and StopMediaSession on its Telephony Clients)').argument('<callID>')).action(
    async (callID: string, o: CpOptions) => {
      await runCp(o, async (c) => callJson(await c.session.hangup(callID)), (v) => `${v.callID}  ${v.status}\n`);
    },
  );
}

export function modifyCommand(): Command {
  return withCpOptions(
    new Command('modify')
      .description('change a call’s media (3.1.3): add, remove or change a Telephony Client, add or drop video, mixing; or answer a remote modify request')
      .argument('<callID>')
      .option('--add-tc <name...>', 'Telephony Clients to add')
      .option('--remove-tc <name...>', 'Telephony Clients to take off the call')
      .option('--change-tc <name>', 'move the call to this Telephony Client (C.27)')
      .option('--video', 'add video')
      .option('--audio-only', 'drop video')
      .option('--mixing <on|off>', 'let the Telephony Clients hear each other (enableMediaMixing)')
      .option('--accept', 'accept the remote party’s modify request (AcceptModifyCall)')
      .option('--reject', 'reject the remote party’s modify request (RejectModifyCall)'),
  ).action(
    async (
      callID: string,
      o: CpOptions & { addTc?: string[]; removeTc?: string[]; changeTc?: string; video?: boolean; audioOnly?: boolean; mixing?: string; accept?: boolean; reject?: boolean },
    ) => {
      await runCp(
        o,
        async (c) => {
          if (o.reject) return { accepted: false, reason: 'rejected by this control point', call: callJson(await c.session.rejectModify(callID)) };
          const view = await c.session.refreshCall(callID);
          const current = view.media.map((m) => m.client);
          const add = await Promise.all((o.addTc ?? []).map((r) => c.client(r)));
          const remove = new Set((await Promise.all((o.removeTc ?? []).map((r) => c.client(r)))).map((t) => t.udn));
          const clients = o.changeTc ? [await c.client(o.changeTc)] : [...current.filter((u) => !remove.has(u)), ...add.map((t) => t.udn)];
          const media = o.video ? ['audio', 'video'] : o.audioOnly ? ['audio'] : undefined;
          const opts: ModifyOptions = {
            clients,
            ...(media ? { media } : {}),
            ...(o.mixing !== undefined ? { enableMediaMixing: o.mixing === 'on' } : {}),
          };
          const result = o.accept ? await c.session.acceptModify(callID, opts) : await c.session.modify(callID, opts);
          return { accepted: result.accepted, reason: result.reason ?? null, call: callJson(result.call) };
        },
        (r) => `${r.call.callID}  ${r.accepted ? 'Modified' : `ModifyFailed${r.reason ? ` (${r.reason})` : ''}`}\n`,
      );
    },
  );
}

export function watchCommand(): Command {
  return withCpOptions(
    new Command('watch')
      .description('follow the calls live: incoming calls (number, name, time) and what happens to every call, until Ctrl-C')
      .option('--until-ended <n>', 'stop after this many calls have ended (for scripts)'),
  ).action(async (o: CpOptions & { untilEnded?: string }) => {
    const limit = o.untilEnded !== undefined ? Number(o.untilEnded) : Infinity;
    if (!(limit > 0)) throw new UsageError('--until-ended must be a positive number');
    await runCp(
      o,
      (c) =>
        new Promise<undefined>((resolve) => {
          let ended = 0;
          const print = (ch: CallChange): void => {
            const at = new Date().toISOString();
            if (o.json) process.stdout.write(`${JSON.stringify({ at, previous: ch.previous, ...callJson(ch.view) })}\n`);
            else process.stdout.write(`${at}  ${ch.view.status === 'Ringing' && ch.previous === undefined ? 'incoming  ' : ''}${describeCall(ch.view)}\n`);
            if (ch.view.ended && ch.previous !== 'Disconnected' && ++ended >= limit) resolve(undefined);
          };
          c.session.on('call', print);
          c.session.on('callback-available', (a) => {
            const at = new Date().toISOString();
            if (o.json) process.stdout.write(`${JSON.stringify({ at, callbackAvailable: a })}\n`);
            else process.stdout.write(`${at}  callback: ${a.callees.join(', ') || a.callBackIDs.join(', ')} can be called now\n`);
          });
          const stop = (): void => resolve(undefined);
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
          if (!o.json) process.stderr.write(`watching ${c.server.friendlyName} (${c.server.udn}); Ctrl-C to stop\n`);
        }),
      () => '',
    );
  });
}
