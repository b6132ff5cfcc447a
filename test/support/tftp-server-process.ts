/**
 * hometel's TftpServer in a process of its own, serving the files of one directory (flat: a name with a `/` is
 * not found): `tsx tftp-server-process.ts <host> <port> <dir> [timeoutMs]`. Prints `READY <port>` when listening,
 * logs every transfer on stderr; SIGTERM stops it. The loss test runs it in a network namespace, the TFTP
 * benchmark next to tftpd-hpa.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createLogger } from '../../src/base/index.js';
import { ErrorCode, TftpServer, type TftpReadAnswer } from '../../src/tftp/index.js';

const [host, port, dir, timeoutMs] = process.argv.slice(2);
if (!host || !port || !dir) throw new Error('usage: tftp-server-process.ts <host> <port> <dir> [timeoutMs]');

async function read(name: string): Promise<TftpReadAnswer> {
  if (name.includes('/')) return { code: ErrorCode.FILE_NOT_FOUND, message: 'File not found' };
  try {
    return await readFile(path.join(dir!, name));
  } catch {
    return { code: ErrorCode.FILE_NOT_FOUND, message: 'File not found' };
  }
}

const server = await TftpServer.start({
  host,
  port: Number(port),
  read,
  logger: createLogger({ level: (process.env.HOMETEL_TFTP_LOG as 'info' | 'warn' | undefined) ?? 'info', component: 'tftp' }),
  ...(timeoutMs ? { timing: { timeoutMs: Number(timeoutMs), maxTimeoutMs: 4 * Number(timeoutMs), retries: 8 } } : {}),
});
process.stdout.write(`READY ${server.port}\n`);
const stop = (): void => void server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
