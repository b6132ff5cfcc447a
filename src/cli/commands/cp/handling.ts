/**
 * `hometel cp forward|voicemail|ignore` and `cp logs --records`: the home's call handling (issue 13) through the
 * CallHandling:1 service of the line's Telephony Server (hometel's). The decider is this control point's TelCPName
 * (--name once; it is kept in the state file), as CallManagement:1's AcceptCall/RejectCall.
 */
import { Command } from 'commander';
import { callHandlingServiceType, parseCallRecords, type CallRecord } from '../../../app/index.js';
import { errorMessage } from '../../../base/index.js';
import { findService, UpnpError, type RemoteService } from '../../../upnp/index.js';
import { TelephonyError } from '../../../telephony/control/index.js';
import { runCp, UsageError, withCpOptions, type CpContext, type CpOptions } from './context.js';

/** The line's CallHandling:1 service, and this control point's identity for it. */
function callHandling(c: CpContext): RemoteService {
  for (const root of c.tcp.controlPoint.devices) {
    const s = findService(root, (x) => x.device.udn === c.server.udn && x.serviceType === callHandlingServiceType);
    if (s) return s;
  }
  throw new UsageError(`${c.server.friendlyName} has no CallHandling service (it is not a hometel Telephony Server)`);
}

function identity(c: CpContext): { TelCPName: string; SecretKey: string } {
  const id = c.session.identity;
  if (!id) throw new UsageError('deciding about a call needs a TelCPName: give --name once (it is kept)');
  return { TelCPName: id.name, SecretKey: id.secretKey };
}

async function invoke(c: CpContext, action: string, args: Record<string, string | number | boolean>, callID?: string): Promise<Record<string, unknown>> {
  try {
    return await callHandling(c).invoke(action, args, { timeoutMs: c.timeoutMs });
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const where = { device: 'TS' as const, action, ...(callID !== undefined ? { callID } : {}), cause: e };
    // The service's own description says it best ("Already decided by Kitchen (accept)").
    if (e instanceof UpnpError) throw new TelephonyError({ kind: 'fault', errorCode: e.errorCode, errorDescription: e.errorDescription, sentence: e.errorDescription, ...where });
    throw new TelephonyError({ kind: 'transport', sentence: errorMessage(e), ...where });
  }
}

function decision(name: string, description: string, action: string, extra?: { arg: string; name: string; description: string }): Command {
  let cmd = withCpOptions(new Command(name).description(description).argument('<callID>', 'the ringing Call'));
  if (extra) cmd = cmd.argument(`<${extra.name}>`, extra.description);
  return cmd.action(async (callID: string, ...rest: unknown[]) => {
    const target = extra ? (rest[0] as string) : undefined;
    const o = (extra ? rest[1] : rest[0]) as CpOptions;
    await runCp(
      o,
      async (c) => {
        const id = identity(c);
        await invoke(c, action, { ...id, TargetCallID: callID, ...(extra && target !== undefined ? { [extra.arg]: target } : {}) }, callID);
        return { callID, action: name, by: id.TelCPName, ...(target !== undefined ? { target } : {}) };
      },
      (r) => `${r.callID}  ${r.action}${r.target ? ` to ${r.target}` : ''} (by ${r.by})\n`,
    );
  });
}

export function forwardCommand(): Command {
  return decision('forward', 'forward a ringing call to another number or SIP URI (CallHandling ForwardCall)', 'ForwardCall', {
    arg: 'ForwardTarget',
    name: 'number',
    description: 'a telephone number or a sip:/tel: URI',
  });
}

export function voicemailCommand(): Command {
  return decision('voicemail', 'send a ringing call to voicemail (CallHandling ForwardToVoiceMail)', 'ForwardToVoiceMail');
}

export function ignoreCommand(): Command {
  return decision('ignore', 'stop the ringing for this control point only; the others keep ringing (CallHandling IgnoreCall)', 'IgnoreCall');
}

/** One line of a full record. */
export function recordLine(r: CallRecord): string {
  const who = [r.name, r.number ?? 'withheld'].filter(Boolean).join(' ');
  const forward = r.forwardTarget ? ` to ${r.forwardTarget}${r.forwardResult ? ` (${r.forwardResult})` : ''}` : '';
  const answered = r.answeredBy ? ` on ${r.answeredBy}` : '';
  const duration = r.durationSec !== undefined ? ` ${r.durationSec}s` : '';
  return `${new Date(r.at).toISOString()}  ${r.callID}  ${who}  ${r.method}${forward}${r.decidedBy ? ` by ${r.decidedBy}` : ''}${answered}${r.result ? `  ${r.result}` : ''}${duration}${r.voicemailMessage ? `  message ${r.voicemailMessage}` : ''}\n`;
}

/** The full records of the line's incoming Calls, newest first (every page). */
export async function callRecords(c: CpContext, search = ''): Promise<CallRecord[]> {
  const all: CallRecord[] = [];
  for (;;) {
    const out = await invoke(c, 'GetCallRecords', { SearchText: search, StartingIndex: all.length, RequestedCount: 0 });
    const page = parseCallRecords(typeof out.CallRecords === 'string' ? out.CallRecords : '');
    all.push(...page);
    if (page.length === 0 || all.length >= Number(out.TotalMatches)) return all;
  }
}
