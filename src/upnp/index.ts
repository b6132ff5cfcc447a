/** The UPnP Device Architecture layer: everything above imports it from here. It knows nothing of telephony. */
export * from './model/index.js';
export { DeviceHost, descriptionPath, type DeviceHostOptions, type DeviceSpec } from './device-host/device-host.js';
export { LocalService } from './device-host/local-service.js';
export { ControlPoint, type ControlPointEvents, type ControlPointOptions } from './control-point/control-point.js';
export { EventSubscription, type SubscriptionState } from './control-point/event-subscription.js';
export { RemoteService, type InvokeOptions } from './control-point/remote-service.js';
export { allDevices, findService, type RemoteDevice } from './control-point/remote-device.js';
export type { WireArgs } from './soap/envelope.js';
// The one safe XML parser (no DTD, no entities, size limit), for the XML fragments services carry in strings.
export { childElements, elementValue, escapeXml, parseXml, sameNamespace, type Element } from './xml/safe-xml.js';
// What a library user needs to construct a ControlPoint or a DeviceHost.
export { createLogger, silentLogger, type Logger, type LoggerOptions, type LogLevel } from '../base/index.js';
export { resolveInterface, type NetworkInterface } from '../base/index.js';
export { systemClock, type Clock, type TimerHandle } from '../base/index.js';
