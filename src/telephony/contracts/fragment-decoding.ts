/**
 * Reading the Telephony specs' XML fragments (cams, mms) leniently, as the spec's own examples need: element names
 * in any letter case and any namespace, enumerated values with stray quotes, a root in the expected namespace or in
 * none. Decoders throw DecodeError; `parseFragment` turns every failure into a result and never throws.
 */
import { childElements, parseXml, sameNamespace, type Element } from '../../upnp/index.js';
import { errorMessage, HometelError } from '../../base/index.js';

export type FragmentParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** A problem found while decoding; caught by `parseFragment`, never escapes. */
export class DecodeError extends HometelError {
  readonly code = 'fragment.invalid';
}

export function fail(reason: string): never {
  throw new DecodeError(reason);
}

export function nameIs(el: Element, names: readonly string[]): boolean {
  const local = (el.localName ?? el.nodeName).toLowerCase();
  return names.some((n) => n.toLowerCase() === local);
}

/** Children whose local name is one of `names` (any letter case, any namespace). */
export function children(parent: Element, ...names: string[]): Element[] {
  return childElements(parent).filter((e) => nameIs(e, names));
}

export function child(parent: Element, ...names: string[]): Element | undefined {
  return children(parent, ...names)[0];
}

/** Every `name` child decoded; a failure names the entry (`name[i]: …`). */
export function decodeEach<T>(parent: Element, name: string, decode: (el: Element) => T): T[] {
  return children(parent, name).map((el, i) => {
    try {
      return decode(el);
    } catch (e) {
      return fail(`${name}[${i}]: ${errorMessage(e)}`);
    }
  });
}

/** An enumerated value as printed: trimmed, surrounding quotes removed, matched ignoring letter case. */
export function enumValue<T extends string>(raw: string, allowed: readonly T[], what: string): T {
  const v = raw.trim().replace(/^["'\u201c\u201d]+|["'\u201c\u201d]+$/g, '').trim();
  const found = allowed.find((a) => a === v) ?? allowed.find((a) => a.toLowerCase() === v.toLowerCase());
  return found ?? fail(`${what} "${raw}" is not an allowed value`);
}

export interface FragmentSpec<T> {
  /** The root's local name (the first is named in errors). */
  readonly rootNames: readonly string[];
  /** Namespaces the root may be in (or in none); the first is named in errors. */
  readonly namespaces: readonly string[];
  readonly decode: (root: Element) => T;
  readonly validate: (value: T) => string[];
  /** A second chance for a document that is not well-formed (e.g. an undeclared prefix the spec prints). */
  readonly repair?: (body: string) => string | undefined;
}

/** Parses `input` as such a fragment, decodes and validates it. Never throws. */
export function parseFragment<T>(input: unknown, spec: FragmentSpec<T>): FragmentParseResult<T> {
  try {
    if (typeof input !== 'string') return { ok: false, reason: 'not a string' };
    const body = input.replace(/^\uFEFF/, '').trimStart();
    if (body === '') return { ok: false, reason: 'empty document' };
    let parsed = parseXml(body);
    if (!parsed.ok && spec.repair) {
      const repaired = spec.repair(body);
      const again = repaired !== undefined ? parseXml(repaired) : undefined;
      if (again?.ok) parsed = again;
    }
    if (!parsed.ok) return { ok: false, reason: `not well-formed XML: ${parsed.reason}` };
    const root = parsed.doc.documentElement;
    if (!root) return { ok: false, reason: 'no root element' };
    if (!nameIs(root, spec.rootNames)) return { ok: false, reason: `root element <${root.nodeName}> is not <${spec.rootNames[0]}>` };
    const ns = root.namespaceURI;
    if (ns !== null && ns !== '' && !spec.namespaces.some((n) => sameNamespace(ns, n))) {
      return { ok: false, reason: `root element is in namespace "${ns}", not "${spec.namespaces[0]}"` };
    }
    const value = spec.decode(root);
    const problems = spec.validate(value);
    if (problems.length > 0) return { ok: false, reason: problems[0]! };
    return { ok: true, value };
  } catch (e) {
    return { ok: false, reason: e instanceof DecodeError ? e.message : `cannot read document: ${errorMessage(e)}` };
  }
}
