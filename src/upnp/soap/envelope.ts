/**
 * SOAP 1.1 envelopes for UPnP control (UDA 1.0 section 3.2): action request, action response and
 * UPnPError fault, both directions. Values go in and out as wire text; typing is the caller's job.
 */
import { childByName, childElements, elementValue, escapeXml, parseXml, sameNamespace, textElement, type Element } from '../xml/safe-xml.js';

export const soapEnvelopeNs = 'http://schemas.xmlsoap.org/soap/envelope/';
export const soapEncodingStyle = 'http://schemas.xmlsoap.org/soap/encoding/';
export const upnpControlNs = 'urn:schemas-upnp-org:control-1-0';

export type WireArgs = Array<[name: string, value: string]>;

export interface ActionCall {
  readonly serviceType: string;
  readonly action: string;
  readonly args: WireArgs;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

function envelope(body: string): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?>\r\n' +
    `<s:Envelope xmlns:s="${soapEnvelopeNs}" s:encodingStyle="${soapEncodingStyle}">` +
    `<s:Body>${body}</s:Body></s:Envelope>\r\n`
  );
}

function argsXml(args: WireArgs): string {
  return args.map(([n, v]) => textElement(n, v)).join('');
}

export function buildActionRequest(call: ActionCall): string {
  return envelope(`<u:${call.action} xmlns:u="${escapeXml(call.serviceType)}">${argsXml(call.args)}</u:${call.action}>`);
}

export function buildActionResponse(serviceType: string, action: string, out: WireArgs): string {
  return envelope(`<u:${action}Response xmlns:u="${escapeXml(serviceType)}">${argsXml(out)}</u:${action}Response>`);
}

export function buildFault(code: number, description: string): string {
  return envelope(
    '<s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail>' +
      `<UPnPError xmlns="${upnpControlNs}"><errorCode>${code}</errorCode>` +
      `<errorDescription>${escapeXml(description)}</errorDescription></UPnPError></detail></s:Fault>`,
  );
}

function bodyElement(text: string): ParseResult<Element> {
  const parsed = parseXml(text);
  if (!parsed.ok) return parsed;
  const env = parsed.doc.documentElement!;
  if (env.localName !== 'Envelope' || !sameNamespace(env.namespaceURI, soapEnvelopeNs)) {
    return { ok: false, reason: 'not a SOAP envelope' };
  }
  const body = childByName(env, 'Body', soapEnvelopeNs);
  if (!body) return { ok: false, reason: 'SOAP envelope without Body' };
  const first = childElements(body)[0];
  if (!first) return { ok: false, reason: 'empty SOAP Body' };
  return { ok: true, value: first };
}

function readArgs(el: Element): WireArgs {
  return childElements(el).map((a) => [a.localName ?? '', elementValue(a)]);
}

/**
 * Parses an action request. Strict first; then, only if that fails, with the quirks of the UPnP
 * Telephony spec's own examples repaired (Appendix C), one after the other:
 *  1. argument values holding unescaped XML fragments that start with their own `<?xml …?>`
 *     declaration, which no parser accepts inside a document: the declarations are dropped;
 *  2. unescaped fragments that are not even namespace-well-formed (a root prefix declared nowhere):
 *     each argument's content is escaped, so the fragment arrives as text for its own lenient parser.
 */
export function parseActionRequest(text: string): ParseResult<ActionCall> {
  let first = bodyElement(text);
  if (!first.ok) {
    const start = /^\s*<\?xml[^>]*\?>/.exec(text)?.[0] ?? '';
    const rest = text.slice(start.length);
    if (/<\?xml[\s?]/.test(rest)) first = bodyElement(start + rest.replace(/<\?xml[^>]*\?>/g, ''));
  }
  if (!first.ok) {
    const escaped = escapeArgumentMarkup(text);
    if (escaped !== undefined) {
      const retry = bodyElement(escaped);
      if (retry.ok) first = retry;
    }
  }
  if (!first.ok) return first;
  const el = first.value;
  return {
    ok: true,
    value: { serviceType: normalizeUrn(el.namespaceURI ?? ''), action: el.localName ?? '', args: readArgs(el) },
  };
}

/**
 * The body with the content of every argument of the action element escaped as text, or undefined when
 * the action element cannot be found. Only arguments whose content holds raw markup are touched.
 */
function escapeArgumentMarkup(text: string): string | undefined {
  const body = /<([\w.-]+:)?Body\b[^>]*>/.exec(text);
  if (!body) return undefined;
  const afterBody = body.index + body[0].length;
  const action = /<([\w.-]+:[\w.-]+|[\w.-]+)\b[^>]*>/.exec(text.slice(afterBody));
  if (!action) return undefined;
  const argsStart = afterBody + action.index + action[0].length;
  const argsEnd = text.lastIndexOf(`</${action[1]!}`);
  if (argsEnd < argsStart) return undefined;
  const args = text
    .slice(argsStart, argsEnd)
    .replace(/<([\w.-]+)(\s[^>]*)?>([\s\S]*?)<\/\1\s*>/g, (whole, name: string, _attrs, inner: string) =>
      inner.includes('<') ? `<${name}>${escapeXml(inner)}</${name}>` : whole,
    );
  return text.slice(0, argsStart) + args + text.slice(argsEnd);
}

/** Service-type URNs compared without white space (the Telephony spec's examples print `service: CallManagement:1`). */
function normalizeUrn(urn: string): string {
  return urn.replace(/\s+/g, '');
}

export type ActionOutcome =
  | { kind: 'response'; action: string; args: WireArgs }
  | { kind: 'fault'; code: number; description: string };

/** Parses what a device answered to an action: a response element or a UPnPError fault. */
export function parseActionOutcome(text: string): ParseResult<ActionOutcome> {
  const first = bodyElement(text);
  if (!first.ok) return first;
  const el = first.value;
  if (el.localName === 'Fault' && sameNamespace(el.namespaceURI, soapEnvelopeNs)) {
    const detail = childByName(el, 'detail');
    const err = detail && childByName(detail, 'UPnPError');
    const code = err && childByName(err, 'errorCode');
    if (!err || !code) return { ok: false, reason: 'SOAP fault without UPnPError' };
    const desc = childByName(err, 'errorDescription');
    return {
      ok: true,
      value: { kind: 'fault', code: Number((code.textContent ?? '').trim()), description: desc?.textContent ?? '' },
    };
  }
  const name = el.localName ?? '';
  if (!name.endsWith('Response')) return { ok: false, reason: `unexpected body element ${name}` };
  return { ok: true, value: { kind: 'response', action: name.slice(0, -'Response'.length), args: readArgs(el) } };
}

/** SOAPACTION header value `"urn:…:service:Type:v#Action"` (quotes optional on input). */
export function parseSoapAction(header: string | undefined): { serviceType: string; action: string } | undefined {
  if (!header) return undefined;
  const v = header.trim().replace(/^"(.*)"$/, '$1');
  const hash = v.lastIndexOf('#');
  if (hash <= 0 || hash === v.length - 1) return undefined;
  return { serviceType: normalizeUrn(v.slice(0, hash)), action: v.slice(hash + 1).trim() };
}
