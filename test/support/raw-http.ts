/** Raw HTTP exchanges for tests that must send what a well-behaved client would not. */
import { request } from 'node:http';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function rawRequest(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string | Buffer,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const r = request({ method, host: u.hostname, port: u.port, path: u.pathname, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    r.on('error', reject);
    r.end(body);
  });
}

export function soapRequest(action: string, argsXml: string, serviceType: string): string {
  return (
    '<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" ' +
    's:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>' +
    `<u:${action} xmlns:u="${serviceType}">${argsXml}</u:${action}></s:Body></s:Envelope>`
  );
}

/** The UPnPError code in a SOAP fault body, or undefined. */
export function faultCode(body: string): number | undefined {
  const m = /<errorCode>(\d+)<\/errorCode>/.exec(body);
  return m ? Number(m[1]) : undefined;
}
