/**
 * The home's call handling (issue 13, seed 004): screening rules and DND, decisions from any screen, the no-response
 * timer, activation by liveness and the full record of each handled call.
 */
export * from './rules/model.js';
export * from './rules/rule-book.js';
export { RuleInvalid, type MatchKey } from './rules/validation.js';
export { parseSchedule } from './rules/schedule.js';
export { describeDnd, describeRule } from './rules/describe.js';
export * from './ports.js';
export * from './call-record.js';
export { ActivationInvalid, Liveness, type LivenessStatus } from './liveness.js';
export { forwardTarget } from './forward-target.js';
export { ForwardAll } from './forward-all.js';
export { CallHandlingService, screenActionOf, TcUnavailable, type CallHandlingEvent, type CallHandlingOptions, type ScreenAction } from './call-handling-service.js';
/** The refusals the service's decide() and ignore() throw (the domain's). */
export { DecisionRefused, InvalidForwardTarget, UnknownCall } from '../telephony/domain/index.js';
