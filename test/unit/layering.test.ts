/**
 * The shape of src/ (issue 10, docs/architecture.md): the layering rule of eslint/layering.js refuses an import
 * that breaks it, src/ has no import cycle, and no source file grows past 600 lines.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import hometel, { moduleOf } from '../../eslint/layering.js';
import { importCycles, importGraph } from '../support/import-graph.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const srcRoot = path.join(repoRoot, 'src');

/** The messages of `rule` when `file` (relative to the repository) has `extraImport` added at its top. */
async function ruleErrors(file: string, extraImport: string, rule: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: repoRoot });
  const text = `${extraImport}\n${readFileSync(path.join(repoRoot, file), 'utf8')}`;
  const [result] = await eslint.lintText(text, { filePath: path.join(repoRoot, file) });
  assert.ok(result, `${file} was linted`);
  assert.deepEqual(result.messages.filter((m) => m.fatal || m.ruleId === null), [], `${file} parsed`);
  return result.messages.filter((m) => m.ruleId === rule).map((m) => m.message);
}

const layeringErrors = (file: string, extraImport: string): Promise<string[]> => ruleErrors(file, extraImport, 'hometel/layering');

test('lint refuses the telephony domain importing UPnP', { timeout: 120_000 }, async () => {
  const errors = await layeringErrors('src/telephony/domain/call.ts', "export { UpnpError } from '../../upnp/index.js';");
  assert.equal(errors.length, 1, errors.join('\n'));
  assert.match(errors[0]!, /telephony\/domain may not import upnp/);
});

test('lint refuses the SIP core importing the telephony domain (only sip/bridge may)', { timeout: 120_000 }, async () => {
  const errors = await layeringErrors('src/sip/dialog/dialog.ts', "export type { Line } from '../../telephony/domain/index.js';");
  assert.equal(errors.length, 1, errors.join('\n'));
  assert.match(errors[0]!, /sip may not import telephony\/domain/);
});

test("lint refuses an import that bypasses a module's index.ts", { timeout: 120_000 }, async () => {
  const errors = await layeringErrors('src/upnp/http/client.ts', "export type { Clock } from '../../base/clock.js';");
  assert.equal(errors.length, 1, errors.join('\n'));
  assert.match(errors[0]!, /import base through its index\.ts/);
});

test("lint refuses hometel's own package name and imports from outside src/", { timeout: 120_000 }, async () => {
  const named = await layeringErrors('src/telephony/domain/call.ts', "export { UpnpError } from 'hometel/upnp';");
  assert.equal(named.length, 1, named.join('\n'));
  assert.match(named[0]!, /src\/ may not import hometel\/upnp/);
  const outside = await layeringErrors('src/telephony/domain/call.ts', "export { useHome } from '../../../test/support/telcp.js';");
  assert.equal(outside.length, 1, outside.join('\n'));
  assert.match(outside[0]!, /may not import \.\.\/\.\.\/\.\.\/test\/support\/telcp\.js/);
});

test('lint refuses the web application (ui/) importing anything of src/ but the API types', { timeout: 120_000 }, async () => {
  const errors = await ruleErrors('ui/src/live.ts', "export { HomeConsole } from '../../src/console/index.js';", 'no-restricted-imports');
  assert.equal(errors.length, 1, errors.join('\n'));
  assert.match(errors[0]!, /ui\/ talks to hometel through the HTTP API/);
  assert.deepEqual(await ruleErrors('ui/src/live.ts', "export type { CallBody } from '../../src/web/schemas.js';", 'no-restricted-imports'), []);
});

test('every folder of src/ is a module of the layering table', () => {
  const folders = readdirSync(srcRoot, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  assert.ok(folders.length >= 8, folders.join(', '));
  for (const f of folders) assert.ok(moduleOf(`${f}/index.ts`), `src/${f} is in eslint/layering.js`);
  assert.equal(moduleOf('newmodule/x.ts'), undefined, 'a folder outside the table is no module (the rule reports its files)');
});

test('lint accepts the same things imported the right way, and the whole tree as it is', { timeout: 120_000 }, async () => {
  assert.deepEqual(await layeringErrors('src/upnp/http/client.ts', "export type { Clock } from '../../base/index.js';"), []);
  // Only the layering rule, over every file of src/ (the type-aware rest of the config is `npm run lint`'s job).
  const eslint = new ESLint({
    cwd: repoRoot,
    overrideConfigFile: true,
    overrideConfig: [
      { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser }, linterOptions: { reportUnusedDisableDirectives: 'off' }, plugins: { hometel }, rules: { 'hometel/layering': 'error' } },
    ],
  });
  const results = await eslint.lintFiles(['src/**/*.ts']);
  assert.ok(results.length > 100, `linted ${results.length} files`);
  const problems = results.flatMap((r) => r.messages.map((m) => `${r.filePath}: ${m.message}`));
  assert.deepEqual(problems, []);
});

test('src/ has no import cycle', () => {
  const graph = importGraph(srcRoot);
  assert.ok(graph.size > 100, `read ${graph.size} files`);
  assert.deepEqual(importCycles(graph), []);
});

test('the cycle finder finds a cycle', () => {
  const graph = new Map([
    ['a.ts', ['b.ts']],
    ['b.ts', ['c.ts']],
    ['c.ts', ['a.ts']],
    ['d.ts', ['a.ts']],
  ]);
  assert.deepEqual(importCycles(graph), [['a.ts', 'b.ts', 'c.ts']]);
});

test('no file under src/ is over 600 lines', () => {
  const long = [...importGraph(srcRoot).keys()]
    .map((f) => ({ f, text: readFileSync(path.join(srcRoot, f), 'utf8') }))
    .map(({ f, text }) => ({ f, lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0) }))
    .filter((x) => x.lines > 600);
  assert.deepEqual(long, []);
});
