/** The phones' side of hometel's SIP (issue 14): registrar, calls to and from phones, lamps and presence. */
export { PhoneSide, phoneSideMethods, type PhoneSideOptions, type RequestHandler } from './phone-side.js';
export type { RequestAuthenticator } from './authenticator.js';
export { dialedOf, routePhoneInvites, type CallTarget, type FeatureTarget, type PhoneCallRoutes } from './phone-invites.js';
export { accepts, Notifier, eventPackages, type EventPackage, type NotifierOptions, type NotifierPackage, type NotifierSide } from './notifier.js';
export { answerText, sendUnsolicitedNotify, UnsolicitedMessageWaiting, type UnsolicitedAnswer, type UnsolicitedMessageWaitingOptions } from './message-waiting.js';
export { dialogInfoBody, dialogInfoType, messageSummaryBody, messageSummaryType, pidfBody, pidfType, xmlText } from './event-bodies.js';
export { DigestAuthenticator, type DigestAlgorithmName, type DigestAuthenticatorOptions } from './digest-authenticator.js';
export { PhoneRegistrar, ipv4Network, type PhoneRegistrarOptions, type RegistrarConfig } from './registrar.js';
export { bestFailure, extensionOf, PhoneLine, type PhoneLineOptions, type PhoneSideUa } from './phone-line.js';
export { carryPhoneCall, failureStatusOf } from './phone-caller.js';
export { externalBodyType, macOfRequest, macOfUri, parseUaProfileEvent, profileBody, uaProfileEvent, urlType, vendorOf, type ProfileBody, type ProfileType, type UaProfileEvent } from './ua-profile.js';
export { PlugAndPlay, plugAndPlayGroup, type GroupSocket, type PlugAndPlayDevices, type PlugAndPlayOptions } from './plug-and-play.js';
export { ProfileSubscriptions, type ProfileDevices, type ProfileSubscriptionsOptions } from './profile-subscriptions.js';
export { sendCheckSync, type CheckSyncOptions } from './check-sync.js';
export { ProfileWatch, type ProfileWatchOptions } from './profile-watch.js';
