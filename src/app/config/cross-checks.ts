/**
 * The rules of a config that span fields, which a JSON Schema cannot state: unique names, RTP ranges that hold
 * enough port pairs and do not overlap, SIP ports not shared, a registrar in registered mode, dial plans naming
 * lines that exist. They run on the
 * complete config (defaults filled in) and name the field's path like the schema's problems do.
 */
import { problem } from './problems.js';
import type { HometelConfig, PortRange } from './schema.js';

export function crossFieldProblems(c: HometelConfig): string[] {
  return [
    ...uniqueNames('lines', c.lines),
    ...uniqueNames('clients', c.clients),
    ...c.lines.flatMap((l, i) => (l.sip?.mode === 'registered' ? registeredNeeds(`lines[${i}].sip`, l.sip) : [])),
    ...rangeProblems(c),
    ...sipPortClashes(c),
    ...dialPlanLines(c),
    ...provisioningNeeds(c),
  ];
}

/** Provisioning gives phones extensions of the registrar, and auto-enrollment needs a range. */
function provisioningNeeds(c: HometelConfig): string[] {
  if (!c.provisioning) return [];
  const problems = c.phones ? [] : [problem('provisioning', 'needs the "phones" section (the registrar its phones register with)')];
  const auto = c.provisioning.autoEnroll;
  if (auto && auto.first > auto.last) problems.push(problem('provisioning.autoEnroll.first', `is above last (${auto.last})`));
  return problems;
}

/** The dial plan's lines, the home's and each extension's, are lines of the config. */
function dialPlanLines(c: HometelConfig): string[] {
  if (!c.phones) return [];
  const { dialPlan } = c.phones;
  const named = [
    { path: 'phones.dialPlan.line', line: dialPlan.line },
    ...Object.entries(dialPlan.extensions ?? {}).map(([n, own]) => ({ path: `phones.dialPlan.extensions.${n}.line`, line: own.line })),
  ];
  return named.flatMap(({ path, line }) =>
    line === undefined || c.lines.some((l) => l.name === line) ? [] : [problem(path, `"${line}" is not a line (lines[].name: ${c.lines.map((l) => `"${l.name}"`).join(', ')})`)],
  );
}

function uniqueNames(list: string, items: ReadonlyArray<{ name: string }>): string[] {
  return items.flatMap((item, i) => {
    const first = items.findIndex((other) => other.name === item.name);
    return first < i ? [problem(`${list}[${i}].name`, `"${item.name}" is used twice (also ${list}[${first}].name)`)] : [];
  });
}

function registeredNeeds(path: string, sip: { registrar?: string; password?: string }): string[] {
  return (['registrar', 'password'] as const).filter((k) => sip[k] === undefined).map((k) => problem(`${path}.${k}`, 'is needed in registered mode'));
}

interface NamedRange extends PortRange {
  readonly path: string;
}

/** RTP/RTCP pairs in a range: an even RTP port and the odd RTCP port above it. */
function pairsIn({ min, max }: PortRange): number {
  return Math.max(0, Math.floor((max - (min + (min % 2)) + 1) / 2));
}

function tooSmall(r: NamedRange, need: number, why: string): string[] {
  const pairs = pairsIn(r);
  return pairs < need ? [problem(r.path, `${r.min}–${r.max} must hold at least ${need} RTP/RTCP port pairs (${why}); it holds ${pairs}`)] : [];
}

function overlap(a: NamedRange, b: NamedRange): string[] {
  return a.min <= b.max && b.min <= a.max ? [problem(a.path, `${a.min}–${a.max} overlaps ${b.path} ${b.min}–${b.max}`)] : [];
}

function rangeProblems(c: HometelConfig): string[] {
  const media: NamedRange = { path: 'media', min: c.media.rtpPortMin, max: c.media.rtpPortMax };
  const clients: NamedRange[] = c.clients.map((cl, i) => ({ path: `clients[${i}].rtpPorts`, ...cl.rtpPorts }));
  const echo: NamedRange | undefined = c.echo && c.echo.rtpPorts ? { path: 'echo.rtpPorts', ...c.echo.rtpPorts } : undefined;
  return [
    ...tooSmall(media, 2, 'a Call\'s stream takes one towards the remote party and one towards the home'),
    ...clients.flatMap((r, i) => [...tooSmall(r, 2, 'one per stream of a Media Session'), ...clients.slice(0, i).flatMap((earlier) => overlap(r, earlier))]),
    ...(echo && c.echo ? [...tooSmall(echo, c.echo.maxCalls, 'one per call of echo.maxCalls'), ...overlap(echo, media), ...clients.flatMap((r) => overlap(echo, r))] : []),
  ];
}

/** Two SIP endpoints on one address cannot share a port (0: each gets a free one). */
function sipPortClashes(c: HometelConfig): string[] {
  const endpoints = [
    ...c.lines.flatMap((l, i) => (l.sip ? [{ path: `lines[${i}].sip.port`, host: l.sip.host, port: l.sip.port }] : [])),
    ...(c.echo ? [{ path: 'echo.port', host: c.echo.host, port: c.echo.port }] : []),
    ...(c.phones ? [{ path: 'phones.registrar.port', host: c.phones.registrar.host, port: c.phones.registrar.port }] : []),
  ];
  return endpoints.flatMap((b, j) =>
    endpoints
      .slice(0, j)
      .filter((a) => a.port !== 0 && a.port === b.port && (a.host === undefined || b.host === undefined || a.host === b.host))
      .map((a) => problem(b.path, `${b.port} is also ${a.path}`)),
  );
}
