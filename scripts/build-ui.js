// Bundles the web application (ui/) into dist/ui: one JavaScript and one CSS file, minified, nothing loaded from
// outside hometel at run time.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'ui');
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [path.join(root, 'ui', 'src', 'main.tsx')],
  outfile: path.join(out, 'app.js'),
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  tsconfig: path.join(root, 'ui', 'tsconfig.json'),
  logLevel: 'warning',
});
for (const f of ['index.html', 'app.css']) copyFileSync(path.join(root, 'ui', f), path.join(out, f));
