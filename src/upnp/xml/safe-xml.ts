/**
 * The only place hometel turns untrusted text into an XML tree. Documents with a DOCTYPE or any
 * entity declaration are refused before parsing (no XXE, no billion laughs: SOAP and GENA forbid
 * DTDs anyway), and so is anything over the size limit or not well-formed.
 */
import { DOMParser, XMLSerializer, type Document, type Element, type Node } from '@xmldom/xmldom';
import { errorMessage, escapeXml } from '../../base/index.js';

// Escaping is shared with provisioning's templates (base); upnp's users take it from here.
export { escapeXml };

export type { Document, Element };

export type XmlParseResult = { ok: true; doc: Document } | { ok: false; reason: string };

export const defaultMaxXmlBytes = 1024 * 1024;

export function parseXml(text: string, maxBytes = defaultMaxXmlBytes): XmlParseResult {
  if (Buffer.byteLength(text, 'utf8') > maxBytes) return { ok: false, reason: `document larger than ${maxBytes} bytes` };
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) return { ok: false, reason: 'DTDs and entity declarations are not allowed' };
  const illegal = illegalCharacter(text);
  if (illegal) return { ok: false, reason: illegal };
  const problems: string[] = [];
  try {
    const doc = new DOMParser({
      onError: (level, msg) => {
        if (level !== 'warning') problems.push(msg);
      },
    }).parseFromString(text, 'text/xml');
    if (problems.length > 0) return { ok: false, reason: problems[0]! };
    if (!doc.documentElement) return { ok: false, reason: 'no root element' };
    return { ok: true, doc };
  } catch (e) {
    return { ok: false, reason: errorMessage(e) };
  }
}

/** XML 1.0 section 2.2: Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]. */
function isXmlChar(c: number): boolean {
  return c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

/** A control character, raw or as a character reference, makes a document malformed; say which. */
function illegalCharacter(text: string): string | undefined {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  const raw = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/.exec(text);
  if (raw) return `illegal character U+${raw[0].charCodeAt(0).toString(16).padStart(4, '0')}`;
  for (const m of text.matchAll(/&#(x[0-9a-fA-F]+|[0-9]+);/g)) {
    const ref = m[1]!;
    const code = ref.startsWith('x') ? parseInt(ref.slice(1), 16) : parseInt(ref, 10);
    if (!isXmlChar(code)) return `illegal character reference ${m[0]}`;
  }
  return undefined;
}

const ELEMENT_NODE = 1;

export function childElements(parent: Element | Document): Element[] {
  const out: Element[] = [];
  for (let n: Node | null = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === ELEMENT_NODE) out.push(n as Element);
  }
  return out;
}

/** Namespace URIs compared without white space: real documents (and the Telephony spec's examples) carry stray spaces. */
export function sameNamespace(a: string | null | undefined, b: string): boolean {
  return (a ?? '').replace(/\s+/g, '') === b;
}

export function childByName(parent: Element, localName: string, ns?: string): Element | undefined {
  return childElements(parent).find(
    (e) => e.localName === localName && (ns === undefined || sameNamespace(e.namespaceURI, ns)),
  );
}

export function childText(parent: Element, localName: string): string | undefined {
  const el = childByName(parent, localName);
  return el ? (el.textContent ?? '') : undefined;
}

/**
 * The value carried by an element. Normally its text; when a sender put unescaped XML inside
 * (as several Telephony spec examples do), the markup itself, so that the value reads the same as
 * if it had been escaped.
 */
export function elementValue(el: Element): string {
  if (childElements(el).length === 0) return el.textContent ?? '';
  const s = new XMLSerializer();
  let out = '';
  for (let n: Node | null = el.firstChild; n; n = n.nextSibling) out += s.serializeToString(n);
  return out;
}

/** One element with escaped text content. */
export function textElement(name: string, text: string): string {
  return `<${name}>${escapeXml(text)}</${name}>`;
}
