/** A forward's target as the call-handling service takes it: a sip:/tel: URI, or a number the home's number plan reads. */
import { forwardTargetOf, InvalidForwardTarget } from '../telephony/domain/index.js';

/**
 * The target as it will be called, trimmed: the syntax of the domain's forwardTargetOf, and a plain number must also be
 * one the number plan reads. Throws InvalidForwardTarget.
 */
export function forwardTarget(target: string, numberKey: (address: string) => string | undefined): string {
  const t = target.trim();
  const uri = /^(sips?|tel):/i.test(t);
  if (forwardTargetOf(t) === undefined || (!uri && numberKey(t) === undefined)) throw new InvalidForwardTarget(target);
  return t;
}
