/**
 * XML for the contacts formats. `contacts` may import only `base`, so upnp's safe parser (src/upnp/xml) is out of
 * reach; this is the same rule in small: a DOCTYPE or an entity declaration is refused before parsing (no XXE, no
 * entity expansion), and a document that is not well-formed is refused with xmldom's first error.
 */
import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import { errorMessage } from '../../base/index.js';

export type { Element };

/** The document, or why it is refused. */
export function readXml(text: string): Document | string {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) return 'DTDs and entity declarations are not allowed';
  const errors: string[] = [];
  try {
    const doc = new DOMParser({ onError: (level, msg) => void (level !== 'warning' && errors.push(msg)) }).parseFromString(text, 'text/xml');
    return errors[0] ?? doc;
  } catch (e) {
    return errorMessage(e);
  }
}

/** Child elements of `parent` with the local name `name`. */
export function children(parent: Element | Document, name: string): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === n.ELEMENT_NODE && (n as Element).localName === name) out.push(n as Element);
  }
  return out;
}

/** The trimmed text of the first child element `name`, '' when there is none. */
export function childText(parent: Element, name: string): string {
  return (children(parent, name)[0]?.textContent ?? '').trim();
}

/**
 * Text for element content or a double-quoted attribute. Characters XML 1.0 (2.2) does not allow at all, even as
 * references, are dropped, so a stray control character in a name cannot make the phonebook malformed.
 */
export function escapeXml(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex -- removing what XML cannot carry is the point
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '')
    .replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`);
}
