/**
 * Where phones fetch their configuration (issue 15): the config's `provisioning.url`, else
 * `http://<registrar host>:<web port>/provisioning/`; TFTP on the registrar's host at `provisioning.tftpPort`. A
 * device's secret path follows either. What the CLI and the web API show an administrator who asks for a device's
 * secret.
 */
import { resolveInterface } from '../base/index.js';
import type { HometelConfig } from './config/schema.js';

export interface ProvisioningUrls {
  /** Ends in `/`; undefined when HTTP has no known port (no web application, or port 0 before it runs). */
  readonly http?: string;
  /** tftp://host:port/, when TFTP is served on a known port. */
  readonly tftp?: string;
}

const registrarHost = (config: HometelConfig): string => (config.phones ? config.phones.registrar.host : undefined) ?? resolveInterface(config.interfaces[0]!).address;

/** The provisioning URLs; `webPort` is the port the web application listens on (default: the configured one). */
export function provisioningUrls(config: HometelConfig, webPort = config.web ? config.web.port : 0): ProvisioningUrls {
  const p = config.provisioning;
  if (!p) return {};
  const host = registrarHost(config);
  const configured = p.url === undefined ? undefined : p.url.endsWith('/') ? p.url : `${p.url}/`;
  const http = configured ?? (webPort > 0 ? `http://${host}:${webPort}/provisioning/` : undefined);
  const tftp = typeof p.tftpPort === 'number' && p.tftpPort > 0 ? `tftp://${host}:${p.tftpPort}/` : undefined;
  return { ...(http !== undefined ? { http } : {}), ...(tftp !== undefined ? { tftp } : {}) };
}
