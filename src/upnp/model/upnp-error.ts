import { HometelError } from '../../base/index.js';

/**
 * A UPnP action error: the errorCode/errorDescription pair carried in a SOAP fault's UPnPError (named as UDA 3.2.2
 * names them). Service logic throws it; the SOAP layer turns it into the fault, and the control point turns a
 * received fault back into one.
 */
export class UpnpError extends HometelError {
  readonly code = 'upnp.fault';

  constructor(
    readonly errorCode: number,
    readonly errorDescription: string,
  ) {
    super(`UPnP error ${errorCode}: ${errorDescription}`);
    this.name = 'UpnpError';
  }
}

/** The error codes UDA 1.0 section 3.2.2 defines for every service. */
export const UdaErrorCode = {
  InvalidAction: 401,
  InvalidArgs: 402,
  ActionFailed: 501,
  ArgumentValueInvalid: 600,
  ArgumentValueOutOfRange: 601,
  OptionalActionNotImplemented: 602,
  OutOfMemory: 603,
  HumanInterventionRequired: 604,
  StringArgumentTooLong: 605,
} as const;

const udaDescriptions: Record<number, string> = {
  401: 'Invalid Action',
  402: 'Invalid Args',
  501: 'Action Failed',
  600: 'Argument Value Invalid',
  601: 'Argument Value Out of Range',
  602: 'Optional Action Not Implemented',
  603: 'Out of Memory',
  604: 'Human Intervention Required',
  605: 'String Argument Too Long',
};

export function udaError(code: number, detail?: string): UpnpError {
  const base = udaDescriptions[code] ?? 'Action Failed';
  return new UpnpError(code, detail ? `${base}: ${detail}` : base);
}

/** A failure below the UPnP level: HTTP status, connection, a malformed response, description, SCPD or SUBSCRIBE answer. */
export class UpnpTransportError extends HometelError {
  readonly code = 'upnp.transport';

  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'UpnpTransportError';
  }
}

/** Something expected on the network (a device, an event) did not come in time. */
export class UpnpTimeoutError extends HometelError {
  readonly code = 'upnp.timeout';

  constructor(message: string) {
    super(message);
    this.name = 'UpnpTimeoutError';
  }
}
