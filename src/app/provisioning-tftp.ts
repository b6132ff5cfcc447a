/**
 * The configuration server over TFTP (issue 15): hometel's TftpServer on `provisioning.tftpPort`, answering each
 * read request from the same FileSource as HTTP. A TFTP request carries no credentials, so a per-device file is
 * served only under the device's secret path (`<secret>/<file>`); whatever the files service refuses is error 2
 * (Access violation), and what it does not have is error 1 (File not found).
 */
import type { Clock, Logger } from '../base/index.js';
import type { FileSource } from '../provisioning/index.js';
import { ErrorCode, TftpServer, type TftpReadAnswer } from '../tftp/index.js';

export interface ProvisioningTftpOptions {
  readonly files: FileSource;
  /** The address to listen on (the registrar's host, or 0.0.0.0). */
  readonly host: string;
  /** `provisioning.tftpPort` (0: any free port). */
  readonly port: number;
  readonly logger: Logger;
  readonly clock?: Clock;
}

/** Stops the server (ending running transfers); `port` is the bound one. */
export type ProvisioningTftpStop = (() => Promise<void>) & { readonly port: number };

/** A secret path's first segment is the device's secret: log lines show `********` in its place. */
export function maskSecretPath(path: string): string {
  const slash = path.indexOf('/');
  return slash < 0 ? path : `********${path.slice(slash)}`;
}

export async function startProvisioningTftp(o: ProvisioningTftpOptions): Promise<ProvisioningTftpStop> {
  const read = async (path: string, peer: { address: string }): Promise<TftpReadAnswer> => {
    const answer = await o.files.fetch({ path, protocol: 'tftp', address: peer.address });
    switch (answer.kind) {
      case 'file':
        return answer.body;
      case 'unauthorized':
      case 'forbidden':
        return { code: ErrorCode.ACCESS_VIOLATION, message: 'Access violation' };
      case 'not-found':
        return { code: ErrorCode.FILE_NOT_FOUND, message: 'File not found' };
    }
  };
  const server = await TftpServer.start({
    host: o.host,
    port: o.port,
    read,
    logger: o.logger.child('tftp'),
    logPath: maskSecretPath,
    ...(o.clock ? { clock: o.clock } : {}),
  });
  return Object.assign(() => server.close(), { port: server.port });
}
