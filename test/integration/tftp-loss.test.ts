/**
 * Acceptance 3 of issue 15 under loss: hometel's TftpServer runs in the "hub" namespace, atftp and tftp-hpa in the
 * "phone" namespace, and nftables drops 20 % of the packets each way at the phone's side. Every download is
 * byte-identical (sha256): the server retransmits on timeout (RFC 1350 section 2, RFC 1123 4.2.3.1), and the
 * server's log shows that it had to.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makeTempDir } from '../support/children.js';
import { netnsPair, type NetnsPair } from '../support/netns.js';
import { atftpGet, tftpHpaGet, type ClientRun, type TftpTarget } from '../support/tftp-clients.js';
import { startTftpServerProcess, type TftpServerProcess } from '../support/tftp-fixture.js';

const files = new Map([
  ['y000000000000.cfg', randomBytes(2_000)],
  ['001565a1b2c3.cfg', randomBytes(6_000)],
]);
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

let pair: NetnsPair;
let server: TftpServerProcess;
let dir: string;
let target: TftpTarget;

before(async () => {
  dir = await makeTempDir('hometel-tftp-loss-');
  for (const [name, body] of files) await writeFile(path.join(dir, name), body);
  pair = await netnsPair('tftp');
  // Inside the namespace any port is free; 250 ms before the first retransmission keeps the test short.
  server = await startTftpServerProcess({ host: pair.hubAddress, port: 69, dir, timeoutMs: 250, netns: pair.hub });
  target = { host: pair.hubAddress, port: server.port, netns: pair.phone };
  await pair.loss(20);
});

after(async () => {
  await server?.stop();
  await pair?.close();
  await rm(dir, { recursive: true, force: true });
});

async function check(client: string, get: (name: string, local: string) => Promise<ClientRun>): Promise<void> {
  for (const [name, body] of files) {
    const local = path.join(dir, `${client}-${name}`);
    const r = await get(name, local);
    assert.equal(r.code, 0, `${client} ${name}: ${r.stderr}`);
    const got = await readFile(local);
    assert.equal(sha256(got), sha256(body), `${client} ${name}: ${got.length} bytes of ${body.length}\n${r.stdout}${r.stderr}`);
  }
}

test('RFC 1350 section 2 with 20 % loss each way: atftp (512 and 1428-byte blocks) and tftp-hpa download byte-identical files', { timeout: 150_000 }, async () => {
  await check('atftp', (name, local) => atftpGet(target, name, local, { clientTimeoutS: 1 }));
  await check('atftp-1428', (name, local) => atftpGet(target, name, local, { clientTimeoutS: 1, blksize: 1428, tsize: true }));
  await check('tftp-hpa', async (name, local) => {
    const r = await tftpHpaGet(target, name, local);
    return { ...r, code: r.stdout.includes('Error') || r.stdout.includes('timed out') ? 1 : r.code };
  });
  const retransmitted = [...server.log().matchAll(/retransmissions=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
  assert.ok(retransmitted > 0, `the loss made the server retransmit:\n${server.log()}`);
});
