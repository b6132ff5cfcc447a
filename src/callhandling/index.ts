/**
 * The home's call handling (issue 13, seed 004): screening rules and DND, decisions from any screen, the no-response
 * timer, activation by liveness and the full record of each handled call.
 */
export * from './rules/model.js';
export * from './rules/rule-book.js';
export { RuleInvalid, patternKey, type MatchKey, type NumberKey } from './rules/validation.js';
export { formatSchedule, parseSchedule, scheduleApplies, type LocalMoment } from './rules/schedule.js';
export { describeAction, describeDnd, describeMatch, describeRule } from './rules/describe.js';
