/**
 * Acceptance 3 of issue 15 on loopback: the real TFTP clients — atftp (with and without RFC 2348 blksize 1428 and
 * RFC 2349 tsize) and tftp-hpa (plain RFC 1350: its client has no option to ask for blksize) — download files of
 * several sizes byte-identical from hometel's TFTP server, started as provisioning starts it
 * (`startProvisioningTftp` over a FileSource); write requests are refused; `../../etc/passwd` and `/etc/passwd` are
 * refused before the files are asked; the files service's answers map to TFTP errors; no secret is logged.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createLogger } from '../../src/base/index.js';
import type { FileAnswer, FileRequest, FileSource } from '../../src/provisioning/index.js';
import { startProvisioningTftp, type ProvisioningTftpStop } from '../../src/app/provisioning-tftp.js';
import { makeTempDir } from '../support/children.js';
import { atftpGet, atftpPut, tftpHpaGet, tftpHpaPut, type TftpTarget } from '../support/tftp-clients.js';

const SECRET = 'Kq3vN8pXw2LmZr5TbY7cHd9JfG4sA6eU';
const sizes = [1, 511, 512, 1428, 2048, 2 * 1428 + 1, 30_000];
const common = new Map(sizes.map((n) => [`file-${n}.cfg`, randomBytes(n)]));
const deviceFile = Buffer.from('account.1.password = s3cret\n');

class FakeFiles implements FileSource {
  readonly requests: FileRequest[] = [];
  fetch(request: FileRequest): Promise<FileAnswer> {
    this.requests.push(request);
    const body = common.get(request.path) ?? (request.path === `${SECRET}/001565a1b2c3.cfg` ? deviceFile : undefined);
    if (body) return Promise.resolve({ kind: 'file', body, contentType: 'text/plain', etag: '"x"' });
    if (request.path === '001565a1b2c3.cfg') return Promise.resolve({ kind: 'unauthorized', challenge: 'Digest' });
    if (request.path === 'outside.cfg') return Promise.resolve({ kind: 'forbidden', reason: 'not a home network' });
    return Promise.resolve({ kind: 'not-found' });
  }
}

const files = new FakeFiles();
const logs: string[] = [];
let stop: ProvisioningTftpStop;
let target: TftpTarget;
let dir: string;

before(async () => {
  dir = await makeTempDir('hometel-tftp-');
  stop = await startProvisioningTftp({ files, host: '127.0.0.1', port: 0, logger: createLogger({ write: (l) => logs.push(l) }) });
  target = { host: '127.0.0.1', port: stop.port };
});

after(async () => {
  await stop();
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
const out = (): string => path.join(dir, `out-${++n}`);

test('RFC 1350: atftp and tftp-hpa download files of every size byte-identical with 512-byte blocks', async () => {
  for (const [name, body] of common) {
    const a = out();
    const ra = await atftpGet(target, name, a);
    assert.equal(ra.code, 0, ra.stderr);
    assert.ok((await readFile(a)).equals(body), `atftp ${name}`);
    const h = out();
    const rh = await tftpHpaGet(target, name, h);
    assert.equal(rh.stdout + rh.stderr, '', `tftp-hpa ${name}`);
    assert.ok((await readFile(h)).equals(body), `tftp-hpa ${name}`);
  }
  assert.equal(logs.filter((l) => l.includes('file served') && l.includes('blksize=512 ')).length, 2 * sizes.length);
});

test('RFC 2348/2349: atftp with blksize 1428 and tsize gets 1428-byte blocks and the file size in the OACK', async () => {
  for (const [name, body] of common) {
    const a = out();
    const r = await atftpGet(target, name, a, { blksize: 1428, tsize: true });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout + r.stderr, new RegExp(`received OACK <tsize: ${body.length}, blksize: 1428`));
    assert.ok((await readFile(a)).equals(body), `atftp blksize 1428 ${name}`);
  }
  assert.equal(logs.filter((l) => l.includes('file served') && l.includes('blksize=1428 ')).length, sizes.length);
});

test('RFC 1350 netascii: tftp-hpa in ascii mode gets a text file back exactly (LF sent as CR LF)', async () => {
  const text = Buffer.from('line one\nline two\r\nlast\n');
  common.set('text.cfg', text);
  const h = out();
  await tftpHpaGet(target, 'text.cfg', h, 'ascii');
  assert.ok((await readFile(h)).equals(text));
  assert.ok(logs.some((l) => l.includes('file=text.cfg mode=netascii bytes=28 ')));
});

test('write requests are refused with error 2 (atftp --put, tftp-hpa put) and reach no file', async () => {
  const local = path.join(dir, 'upload.cfg');
  await writeFile(local, 'uploaded');
  const before = files.requests.length;
  const a = await atftpPut(target, 'upload.cfg', local);
  assert.notEqual(a.code, 0);
  assert.match(a.stderr + a.stdout, /Access violation/);
  const h = await tftpHpaPut(target, local, 'upload.cfg');
  assert.match(h.stdout, /Error code 2: Access violation/);
  assert.equal(files.requests.length, before);
});

test('../../etc/passwd and /etc/passwd are refused (error 2) and never reach the files service', async () => {
  const before = files.requests.length;
  for (const name of ['../../etc/passwd', '/etc/passwd', `${SECRET}/../../../etc/passwd`]) {
    const a = out();
    const ra = await atftpGet(target, name, a);
    assert.notEqual(ra.code, 0, name);
    assert.match(ra.stderr + ra.stdout, /Access violation/, name);
    assert.equal((await readFile(a).catch(() => Buffer.alloc(0))).length, 0, name);
    const h = out();
    const rh = await tftpHpaGet(target, name, h);
    assert.match(rh.stdout, /Error code 2: Access violation/, name);
    assert.equal((await readFile(h).catch(() => Buffer.alloc(0))).length, 0, name);
  }
  assert.equal(files.requests.length, before, 'nothing was looked up');
});

test('the files service decides: a secret path is served, without the secret error 2, outside the home error 2, unknown error 1; the secret is never logged', async () => {
  const a = out();
  assert.equal((await atftpGet(target, `${SECRET}/001565a1b2c3.cfg`, a)).code, 0);
  assert.ok((await readFile(a)).equals(deviceFile));
  assert.match((await tftpHpaGet(target, '001565a1b2c3.cfg', out())).stdout, /Error code 2: Access violation/);
  assert.match((await tftpHpaGet(target, 'outside.cfg', out())).stdout, /Error code 2: Access violation/);
  assert.match((await tftpHpaGet(target, 'missing.cfg', out())).stdout, /Error code 1: File not found/);
  const request = files.requests.find((r) => r.path.startsWith(SECRET));
  assert.deepEqual(request, { path: `${SECRET}/001565a1b2c3.cfg`, protocol: 'tftp', address: '127.0.0.1' });
  assert.ok(logs.some((l) => l.includes('file=********/001565a1b2c3.cfg')));
  assert.ok(!logs.some((l) => l.includes(SECRET)), 'no log line carries the secret');
});
