/**
 * The web application's files (dist/ui, made by `npm run build`): read once at start, gzip-compressed once, served
 * from memory. A fixed table of names rather than a static-file server: the UI is three files, so no request path
 * ever reaches the file system (no path tricks to defend against), and every other page path gets index.html so
 * that the application's own routes (/calls, /log …) survive a reload.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export interface UiFile {
  readonly body: Buffer;
  readonly gzip: Buffer;
  readonly type: string;
  readonly etag: string;
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** dist/ui next to the compiled server (dist/web), or the built one when running from src/ (tests with tsx). */
export function defaultUiDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const beside = path.resolve(here, '..', 'ui');
  return existsSync(path.join(beside, 'index.html')) ? beside : path.resolve(here, '..', '..', 'dist', 'ui');
}

export function loadUi(dir: string): Map<string, UiFile> {
  const files = new Map<string, UiFile>();
  for (const name of ['index.html', 'app.js', 'app.css']) {
    const file = path.join(dir, name);
    if (!existsSync(file)) throw new Error(`the web application is not built (${file} missing): run npm run build`);
    const body = readFileSync(file);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    files.set(`/${name}`, { body, gzip: gzipSync(body, { level: 9 }), type: types[path.extname(name)]!, etag });
  }
  return files;
}

