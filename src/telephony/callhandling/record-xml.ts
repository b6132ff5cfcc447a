/**
 * The XML fragments of the CallHandling service, in hometel's namespace (the shape of the AddressBook's):
 *
 *   <hc:callRecords xmlns:hc="urn:schemas-hometel-org:phone:hc">
 *     <record><callID/><line/><time/><number/>?<name/>?<method/><decidedBy/>?<result/>?<forwardTarget/>?
 *       <forwardResult/>?<voicemailMessage/>?<answeredBy/>?<duration/>?<ended/>?</record>*
 *   </hc:callRecords>
 *   <hc:decision xmlns:hc="…"><callID/><by/><action/></hc:decision>
 *   <hc:ignored xmlns:hc="…"><callID/><telCPName/></hc:ignored>
 *
 * Times are ISO 8601 in UTC, durations seconds.
 */
import type { CallRecord, ProcessingMethod } from '../../callhandling/index.js';
import type { ForwardResult } from '../../telephony/domain/index.js';
import { childElements, escapeXml, parseXml, sameNamespace, type Element } from '../../upnp/index.js';

export const callHandlingNamespace = 'urn:schemas-hometel-org:phone:hc';
const declaration = '<?xml version="1.0" encoding="utf-8"?>';
// eslint-disable-next-line no-control-regex -- the characters XML 1.0 cannot carry
const notXmlChar = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const el = (name: string, value: string | number | undefined): string => (value === undefined ? '' : `<${name}>${escapeXml(String(value).replace(notXmlChar, '\uFFFD'))}</${name}>`);
const fragment = (root: string, body: string): string => `${declaration}<hc:${root} xmlns:hc="${callHandlingNamespace}">${body}</hc:${root}>`;

export function buildCallRecords(records: readonly CallRecord[]): string {
  const items = records.map(
    (r) =>
      `<record>${el('callID', r.callID)}${el('line', r.line)}${el('time', new Date(r.at).toISOString())}${el('number', r.number)}${el('name', r.name)}` +
      `${el('method', r.method)}${el('decidedBy', r.decidedBy)}${el('result', r.result)}${el('forwardTarget', r.forwardTarget)}${el('forwardResult', r.forwardResult)}` +
      `${el('voicemailMessage', r.voicemailMessage)}${el('answeredBy', r.answeredBy)}${el('duration', r.durationSec)}${el('ended', r.endedAt !== undefined ? new Date(r.endedAt).toISOString() : undefined)}</record>`,
  );
  return fragment('callRecords', items.join(''));
}

export function buildDecision(callID: string, by: string, action: string): string {
  return fragment('decision', `${el('callID', callID)}${el('by', by)}${el('action', action)}`);
}

export function buildIgnored(callID: string, telCPName: string): string {
  return fragment('ignored', `${el('callID', callID)}${el('telCPName', telCPName)}`);
}

// ------------------------------------------------------------------ reading (a TelCP's side, and the tests')

function root(xml: string, localName: string): Element {
  const parsed = parseXml(xml);
  if (!parsed.ok) throw new Error(`not XML: ${parsed.reason}`);
  const r = parsed.doc.documentElement;
  if (!r || r.localName !== localName || !sameNamespace(r.namespaceURI, callHandlingNamespace)) throw new Error(`the root is not hc:${localName}`);
  return r;
}

function fields(e: Element): Map<string, string> {
  return new Map(childElements(e).map((c) => [c.localName ?? '', c.textContent ?? '']));
}

export function parseCallRecords(xml: string): CallRecord[] {
  return childElements(root(xml, 'callRecords'))
    .filter((e) => e.localName === 'record')
    .map((e) => {
      const f = fields(e);
      const opt = <K extends string>(k: K, v: string | undefined) => (v === undefined ? {} : ({ [k]: v } as Record<K, string>));
      const duration = f.get('duration');
      return {
        callID: f.get('callID') ?? '',
        line: f.get('line') ?? '',
        at: Date.parse(f.get('time') ?? ''),
        method: (f.get('method') ?? 'ringing') as ProcessingMethod,
        ...opt('number', f.get('number')),
        ...opt('name', f.get('name')),
        ...opt('decidedBy', f.get('decidedBy')),
        ...(f.has('result') ? { result: f.get('result') as 'success' | 'fail' } : {}),
        ...opt('forwardTarget', f.get('forwardTarget')),
        ...(f.has('forwardResult') ? { forwardResult: f.get('forwardResult') as ForwardResult } : {}),
        ...opt('voicemailMessage', f.get('voicemailMessage')),
        ...opt('answeredBy', f.get('answeredBy')),
        ...(duration !== undefined ? { durationSec: Number(duration) } : {}),
        ...(f.has('ended') ? { endedAt: Date.parse(f.get('ended')!) } : {}),
      };
    });
}

export function parseDecision(xml: string): { callID: string; by: string; action: string } {
  const f = fields(root(xml, 'decision'));
  return { callID: f.get('callID') ?? '', by: f.get('by') ?? '', action: f.get('action') ?? '' };
}

export function parseIgnored(xml: string): { callID: string; telCPName: string } {
  const f = fields(root(xml, 'ignored'));
  return { callID: f.get('callID') ?? '', telCPName: f.get('telCPName') ?? '' };
}
