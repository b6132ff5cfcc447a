/** The GENA event body (UDA 1.0 section 4.2.1): `<e:propertyset>` with one `<e:property>` per variable. */
import { childElements, elementValue, parseXml, sameNamespace, textElement } from '../xml/safe-xml.js';
import type { WireArgs } from '../soap/envelope.js';

export const eventNs = 'urn:schemas-upnp-org:event-1-0';

export function buildPropertySet(vars: WireArgs): string {
  const props = vars.map(([n, v]) => `<e:property>${textElement(n, v)}</e:property>`).join('');
  return `<?xml version="1.0" encoding="utf-8"?>\r\n<e:propertyset xmlns:e="${eventNs}">${props}</e:propertyset>\r\n`;
}

export function parsePropertySet(text: string): { ok: true; value: WireArgs } | { ok: false; reason: string } {
  const parsed = parseXml(text);
  if (!parsed.ok) return parsed;
  const root = parsed.doc.documentElement!;
  if (root.localName !== 'propertyset' || !sameNamespace(root.namespaceURI, eventNs)) {
    return { ok: false, reason: 'not a GENA propertyset' };
  }
  const vars: WireArgs = [];
  for (const prop of childElements(root)) {
    if (prop.localName !== 'property') continue;
    for (const v of childElements(prop)) vars.push([v.localName ?? '', elementValue(v)]);
  }
  return { ok: true, value: vars };
}
