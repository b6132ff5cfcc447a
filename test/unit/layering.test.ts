/**
 * The shape of src/ (issue 10, docs/architecture.md): the layering rule of eslint/layering.js refuses an import
 * that breaks it, src/ has no import cycle, and no source file grows past 600 lines.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { importCycles, importGraph } from '../support/import-graph.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const srcRoot = path.join(repoRoot, 'src');

/** The layering rule's messages when `file` (relative to the repository) has `extraImport` added at its top. */
async function layeringErrors(file: string, extraImport: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: repoRoot });
  const text = `${extraImport}\n${readFileSync(path.join(repoRoot, file), 'utf8')}`;
  const [result] = await eslint.lintText(text, { filePath: path.join(repoRoot, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'hometel/layering').map((m) => m.message);
}

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

test('lint accepts the same things imported the right way, and the tree as it is', { timeout: 120_000 }, async () => {
  assert.deepEqual(await layeringErrors('src/upnp/http/client.ts', "export type { Clock } from '../../base/index.js';"), []);
  const eslint = new ESLint({ cwd: repoRoot });
  const results = await eslint.lintFiles(['src/sip/bridge/**/*.ts', 'src/store/**/*.ts']);
  const layering = results.flatMap((r) => r.messages.filter((m) => m.ruleId === 'hometel/layering').map((m) => `${r.filePath}: ${m.message}`));
  assert.deepEqual(layering, [], 'the adapters import the domain through its index.ts');
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
