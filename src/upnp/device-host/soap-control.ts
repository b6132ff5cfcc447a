/**
 * UPnP control over HTTP (UDA 1.0 section 3.2): turns a POST or M-POST into an action call on a
 * LocalService and its outcome into a SOAP response or UPnPError fault.
 *
 * A body that is not a well-formed SOAP envelope (or carries a DTD) is not an action at all and
 * gets HTTP 400; everything that is an action but a wrong one gets a fault (HTTP 500).
 */
import type { Logger } from '../../base/index.js';
import { satisfiesType } from '../model/identifiers.js';
import { UdaErrorCode, UpnpError, udaError } from '../model/upnp-error.js';
import type { HttpRequest, HttpResponse } from '../http/server.js';
import { buildActionResponse, buildFault, parseActionRequest, parseSoapAction, soapEnvelopeNs } from '../soap/envelope.js';
import type { LocalService } from './local-service.js';

const xmlContentType: [string, string] = ['CONTENT-TYPE', 'text/xml; charset="utf-8"'];

/** The SOAPACTION header, or with M-POST the `NN-SOAPACTION` header named by MAN (UDA 1.0 3.2.1). */
function soapActionHeader(req: HttpRequest): string | undefined {
  if (!req.mandatoryExtension) return req.headers.soapaction;
  const man = req.headers.man ?? '';
  const m = new RegExp(`"${soapEnvelopeNs.replace(/[./]/g, '\\$&')}"\\s*;\\s*ns\\s*=\\s*(\\d+)`).exec(man);
  return m ? req.headers[`${m[1]}-soapaction`] : undefined;
}

function fault(err: UpnpError): HttpResponse {
  return { status: 500, headers: [xmlContentType, ['EXT', '']], body: buildFault(err.errorCode, err.errorDescription) };
}

export async function handleControl(service: LocalService, req: HttpRequest, logger: Logger): Promise<HttpResponse> {
  if (req.method !== 'POST') return { status: 405, headers: [['ALLOW', 'POST, M-POST']] };
  const parsed = parseActionRequest(req.body);
  if (!parsed.ok) {
    logger.warn('malformed SOAP request', { from: req.remoteAddress, reason: parsed.reason });
    return { status: 400 };
  }
  const call = parsed.value;
  const header = parseSoapAction(soapActionHeader(req));
  const serviceType = service.contract.serviceType;
  const label = { action: call.action, from: req.remoteAddress };
  try {
    if (!header) throw udaError(UdaErrorCode.InvalidAction, 'missing or malformed SOAPACTION');
    if (header.action !== call.action || !satisfiesType(serviceType, header.serviceType)) {
      throw udaError(UdaErrorCode.InvalidAction, `SOAPACTION ${header.serviceType}#${header.action} does not match the request`);
    }
    if (!satisfiesType(serviceType, call.serviceType)) {
      throw udaError(UdaErrorCode.InvalidAction, `action namespace ${call.serviceType} is not ${serviceType}`);
    }
    const out = await service.invoke(call, { remoteAddress: req.remoteAddress });
    logger.debug('action done', label);
    return { status: 200, headers: [xmlContentType, ['EXT', '']], body: buildActionResponse(call.serviceType, call.action, out) };
  } catch (e) {
    const err = e instanceof UpnpError ? e : udaError(UdaErrorCode.ActionFailed);
    logger.info('action refused', { ...label, code: err.errorCode, reason: err.message });
    return fault(err);
  }
}
