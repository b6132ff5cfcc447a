/**
 * The only place hometel turns untrusted text into an XML tree. Documents with a DOCTYPE or any
 * entity declaration are refused before parsing (no XXE, no billion laughs: SOAP and GENA forbid
 * DTDs anyway), and so is anything over the size limit or not well-formed.
 */
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import type { Document, Element, Node } from '@xmldom/xmldom';

export type { Document, Element };

export type XmlParseResult = { ok: true; doc: Document } | { ok: false; reason: string };

export const defaultMaxXmlBytes = 1024 * 1024;

export function parseXml(text: string, maxBytes = defaultMaxXmlBytes): XmlParseResult {
  if (Buffer.byteLength(text, 'utf8') > maxBytes) return { ok: false, reason: `document larger than ${maxBytes} bytes` };
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) return { ok: false, reason: 'DTDs and entity declarations are not allowed' };
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
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}

const ELEMENT_NODE = 1;

export function childElements(parent: Element | Document): Element[] {
  const out: Element[] = [];
  for (let n: Node | null = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === ELEMENT_NODE) out.push(n as Element);
  }
  return out;
}

/** Namespace URIs compared after trimming: real documents (and the Telephony spec's examples) carry stray spaces. */
export function sameNamespace(a: string | null | undefined, b: string): boolean {
  return (a ?? '').trim() === b;
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

/** Escape text for element content or a double-quoted attribute; CR is kept as a reference so it survives parsing. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"'\r]/g, (c) => {
    switch (c) {
      case '&': return '&amp;';
      case '<': return '&lt;';
      case '>': return '&gt;';
      case '"': return '&quot;';
      case "'": return '&apos;';
      default: return '&#13;';
    }
  });
}

/** One element with escaped text content. */
export function textElement(name: string, text: string): string {
  return `<${name}>${escapeXml(text)}</${name}>`;
}
