/**
 * The home's call handling (issue 13, seed 004): screening rules and DND, decisions from any screen, the no-response
 * timer, activation by liveness and the full record of each handled call.
 */
export * from './rules/model.js';
export * from './rules/rule-book.js';
export { RuleInvalid, type MatchKey } from './rules/validation.js';
export { parseSchedule } from './rules/schedule.js';
export { describeDnd, describeRule } from './rules/describe.js';
