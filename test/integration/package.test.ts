/**
 * hometel as a package others use: `npm pack` (its prepack builds afresh) ships dist, src and the README and nothing
 * else; an empty project installs the tarball and imports the TelCP library and the UPnP stack, at run time and with
 * their types, and runs the `hometel` bin.
 *
 * The install sends nothing to the network: the empty project gets a lockfile built from hometel's own (the exact
 * versions hometel is tested with), so `npm ci --offline` takes every tarball from the npm cache that hometel's
 * `npm ci` filled. It runs with --ignore-scripts, so better-sqlite3's native build is skipped: only the Store loads it,
 * and the test proves the library entry points do not.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');

interface PackResult {
  readonly filename: string;
  readonly integrity: string;
  readonly size: number;
  readonly entryCount: number;
  readonly files: readonly { readonly path: string }[];
}

interface LockEntry {
  readonly dev?: boolean;
}

/** Runs a command; rejects with its output when it fails. The npm update check would reach the registry: it is off. */
function run(file: string, args: readonly string[], cwd: string, timeoutMs = 180_000): Promise<string> {
  const env = { ...process.env, npm_config_update_notifier: 'false', npm_config_audit: 'false', npm_config_fund: 'false' };
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${path.basename(file)} ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** The empty project's package.json and lockfile: hometel from the tarball, its dependencies as hometel's lock pins them. */
function writeConsumer(dir: string, tarball: string, integrity: string): void {
  const hometel = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as Record<string, unknown>;
  const lock = JSON.parse(readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const spec = `file:${tarball}`;
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', dependencies: { hometel: spec } },
    'node_modules/hometel': {
      version: hometel.version, resolved: spec, integrity, license: hometel.license,
      dependencies: hometel.dependencies, bin: hometel.bin, engines: hometel.engines,
    },
  };
  for (const [key, entry] of Object.entries(lock.packages)) if (key.startsWith('node_modules/') && !entry.dev) packages[key] = entry;
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { hometel: spec } }));
  writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify({ name: 'consumer', lockfileVersion: 3, requires: true, packages }));
}

/** Run in the consumer as plain ESM: what each entry point exports and does, and which CommonJS packages it loaded. */
const runtimeCheck = `
import { createRequire } from 'node:module';
const telcp = await import('hometel/telcp');
const upnp = await import('hometel/upnp');
const main = await import('hometel');
const require = createRequire(import.meta.url);
const tcp = new telcp.TelephonyControlPoint({ logger: telcp.silentLogger });
const startError = await tcp.start().then(() => 'started', (e) => e.constructor.name + ': ' + e.message);
let deepImport = 'loaded';
try { await import('hometel/dist/store/index.js'); } catch (e) { deepImport = e.code; }
console.log(JSON.stringify({
  telcp: Object.keys(telcp),
  upnp: Object.keys(upnp),
  mainIsTelcp: main.TelephonyControlPoint === telcp.TelephonyControlPoint,
  hasActionLog: tcp.log instanceof telcp.ActionLog,
  startError,
  newer: upnp.satisfiesType('urn:schemas-upnp-org:service:CallManagement:2', 'urn:schemas-upnp-org:service:CallManagement:1'),
  older: upnp.satisfiesType('urn:schemas-upnp-org:service:CallManagement:1', 'urn:schemas-upnp-org:service:CallManagement:2'),
  version: require('hometel/package.json').version,
  deepImport,
  commonJs: Object.keys(require.cache),
}));
`;

/** Uses the library's types; each @ts-expect-error fails the check if the types were missing or any. */
const consumerTs = `
import { TelephonyControlPoint, TelephonyError, silentLogger, type CallView, type TsSession } from 'hometel/telcp';
import { ControlPoint, satisfiesType, type ControlPointOptions } from 'hometel/upnp';
import { TelephonyControlPoint as Main } from 'hometel';

const options: ControlPointOptions = { interfaces: [{ name: 'lo', address: '127.0.0.1', netmask: '255.0.0.0' }], logger: silentLogger };
const tcp: Main = new TelephonyControlPoint({ logger: silentLogger, controlPoint: new ControlPoint(options) });

export async function call(callee: string): Promise<CallView['status']> {
  const session: TsSession = await tcp.openSession(await tcp.waitForServer(), { name: 'consumer' });
  try {
    const view = await session.call(callee, { mode: 'Non-Monopolize' });
    return view.status;
  } catch (e) {
    if (e instanceof TelephonyError && e.errorCode !== undefined) return 'Disconnected';
    throw e;
  }
}

export const newer: boolean = satisfiesType('urn:schemas-upnp-org:service:CallManagement:2', 'urn:schemas-upnp-org:service:CallManagement:1');
// @ts-expect-error a TelephonyControlPoint needs a logger
export const noLogger = new TelephonyControlPoint({});
// @ts-expect-error servers() returns TelephonyServers, not strings
export const names: string[] = tcp.servers();
`;

/** The consumer's tsconfig for a module resolution; its @types/node is hometel's (node_modules already holds it). */
function tsconfig(module: string, moduleResolution: string): string {
  return JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module, moduleResolution, strict: true, noEmit: true, skipLibCheck: false,
      typeRoots: [path.join(repoRoot, 'node_modules', '@types')], types: ['node'],
    },
    files: ['consumer.ts'],
  });
}

describe('hometel packed and installed into an empty project', () => {
  let work = '';
  let pack: PackResult;
  let app = '';
  let installed = '';

  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'hometel-package-'));
    const out = await run('npm', ['pack', '--json', '--pack-destination', work], repoRoot);
    [pack] = JSON.parse(out) as [PackResult];
    app = path.join(work, 'app');
    installed = path.join(app, 'node_modules', 'hometel');
    mkdirSync(app);
    writeConsumer(app, path.join(work, pack.filename), pack.integrity);
    await run('npm', ['ci', '--offline', '--ignore-scripts'], app);
  });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('the tarball holds the build, its sources and the README, and no tests or benchmarks', () => {
    const files = pack.files.map((f) => f.path);
    assert.equal(pack.entryCount, files.length);
    for (const f of files) assert.match(f, /^(dist\/|src\/|README\.md$|package\.json$|hometel\.schema\.json$)/, `${f} should not be shipped`);
    assert.deepEqual(files.filter((f) => /^(test|bench)\/|\.test\./.test(f)), []);
    for (const f of ['hometel.schema.json', 'dist/cli/main.js', 'dist/telephony/control/index.js', 'dist/telephony/control/index.d.ts', 'dist/upnp/index.d.ts', 'src/upnp/index.ts']) {
      assert.ok(files.includes(f), `${f} is shipped`);
    }
    const manifest = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8')) as { exports: Record<string, string | Record<string, string>> };
    for (const target of Object.values(manifest.exports).flatMap((t) => (typeof t === 'string' ? [t] : Object.values(t)))) {
      assert.ok(files.includes(path.posix.normalize(target)), `export target ${target} is shipped`);
    }
  });

  test('every source map and declaration map names a source the package ships', () => {
    const maps = (readdirSync(path.join(installed, 'dist'), { recursive: true }) as string[]).filter((f) => f.endsWith('.map'));
    assert.ok(maps.some((f) => f.endsWith('.d.ts.map')) && maps.some((f) => f.endsWith('.js.map')), 'both kinds of map are shipped');
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(path.join(installed, 'dist', map), 'utf8')) as { sources: string[] };
      for (const source of sources) assert.ok(existsSync(path.resolve(path.dirname(path.join(installed, 'dist', map)), source)), `${map}: ${source}`);
    }
  });

  test('ESM imports of hometel/telcp, hometel/upnp and hometel work without better-sqlite3', async () => {
    writeFileSync(path.join(app, 'check.mjs'), runtimeCheck);
    const r = JSON.parse(await run(process.execPath, ['check.mjs'], app, 30_000)) as Record<string, unknown> & { telcp: string[]; upnp: string[]; commonJs: string[] };
    for (const name of ['TelephonyControlPoint', 'TsSession', 'TelephonyError', 'ActionLog', 'silentLogger', 'createLogger', 'resolveInterface']) assert.ok(r.telcp.includes(name), name);
    for (const name of ['ControlPoint', 'DeviceHost', 'LocalService', 'UpnpError', 'satisfiesType', 'silentLogger', 'systemClock']) assert.ok(r.upnp.includes(name), name);
    assert.equal(r.mainIsTelcp, true);
    assert.equal(r.hasActionLog, true);
    assert.equal(r.startError, 'TypeError: TelephonyControlPoint needs interfaces or a controlPoint');
    assert.equal(r.newer, true);
    assert.equal(r.older, false);
    assert.equal(r.version, pack.filename.replace(/^hometel-|\.tgz$/g, ''));
    assert.equal(r.deepImport, 'ERR_PACKAGE_PATH_NOT_EXPORTED');
    assert.ok(r.commonJs.some((f) => f.includes(`${path.sep}@xmldom${path.sep}xmldom${path.sep}`)), 'the CommonJS dependencies loaded are listed');
    assert.deepEqual(r.commonJs.filter((f) => f.includes('better-sqlite3')), []);
  });

  test('the hometel bin runs from the installed package', async () => {
    assert.match(await run(path.join(app, 'node_modules', '.bin', 'hometel'), ['--help'], app, 30_000), /^Usage: hometel/m);
  });

  for (const [module, moduleResolution] of [['NodeNext', 'NodeNext'], ['Preserve', 'Bundler']] as const) {
    test(`a TypeScript consumer type-checks against the shipped declarations (moduleResolution ${moduleResolution})`, async () => {
      writeFileSync(path.join(app, 'consumer.ts'), consumerTs);
      writeFileSync(path.join(app, `tsconfig.${moduleResolution}.json`), tsconfig(module, moduleResolution));
      await run(process.execPath, [tsc, '-p', `tsconfig.${moduleResolution}.json`], app, 120_000);
    });
  }
});
