/**
 * SDP taken apart and put together by media section, as written (no re-serialisation): the session part, then each
 * m-line with the lines after it. Used to combine TC-based and TS-based media into one offer (C.34), to add a second
 * TC's stream to a Call that runs (C.19 F23), to keep only some media types, and to put several TCs' streams into
 * one SDP (C.19 F7, C.20 F21).
 */
import { sdpLines, sdpText } from './text.js';

interface Section {
  /** The media type of the m-line, lower case. */
  readonly type: string;
  readonly lines: string[];
}

interface Sections {
  readonly session: string[];
  readonly media: Section[];
}

function sections(sdp: string): Sections {
  const session: string[] = [];
  const media: Section[] = [];
  for (const line of sdpLines(sdp)) {
    const m = /^m=(\S*)/.exec(line);
    if (m) media.push({ type: m[1]!.toLowerCase(), lines: [line] });
    else if (media.length) media[media.length - 1]!.lines.push(line);
    else session.push(line);
  }
  return { session, media };
}

function join(session: readonly string[], media: readonly Section[]): string {
  return sdpText([...session, ...media.flatMap((m) => m.lines)]);
}

/** `base` with the media sections of `extra` whose media type `base` does not have yet. */
export function mergeSdp(base: string, extra: string): string {
  const a = sections(base);
  const b = sections(extra);
  const have = new Set(a.media.map((m) => m.type));
  return join(a.session, [...a.media, ...b.media.filter((m) => !have.has(m.type))]);
}

/** `sdp` with only the media sections of these types; undefined when none is left. */
export function sdpOfTypes(sdp: string, types: ReadonlySet<string>): string | undefined {
  const s = sections(sdp);
  const kept = s.media.filter((m) => types.has(m.type));
  return kept.length ? join(s.session, kept) : undefined;
}

/**
 * One SDP per media section: the session part with that section (StartMediaTransfer's SDP that names each TC's
 * address per m-line, C.20 F21, taken apart per TC).
 */
export function sdpPerSection(sdp: string): string[] {
  const s = sections(sdp);
  return s.media.map((m) => join(s.session, [m]));
}

/** The media types of an SDP's sections (disabled ones included), lower case. */
export function mediaTypesOf(sdp: string): Set<string> {
  return new Set(sections(sdp).media.map((m) => m.type));
}

/**
 * The streams of several SDPs as one SDP: the first one's session part, then every media section in order, each
 * given its SDP's session-level c= line when it has none of its own (so the address of each TC survives).
 */
export function combineStreams(parts: ReadonlyArray<string | undefined>): string | undefined {
  const present = parts.filter((p): p is string => p !== undefined && p.trim() !== '');
  if (present.length === 0) return undefined;
  let session: string[] | undefined;
  const media: Section[] = [];
  for (const p of present) {
    const s = sections(p);
    session ??= s.session;
    const c = s.session.find((l) => l.startsWith('c='));
    for (const section of s.media) {
      if (c && !section.lines.some((l) => l.startsWith('c='))) {
        // RFC 4566 5: m=, then i=, then c=.
        const at = section.lines[1]?.startsWith('i=') ? 2 : 1;
        section.lines.splice(at, 0, c);
      }
      media.push(section);
    }
  }
  return join(session!, media);
}
