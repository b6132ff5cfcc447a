/** A forward's target: a number the home's number plan reads, or a sip:/sips:/tel: URI; anything else is refused. */
import { HometelError } from '../base/index.js';

export class ForwardTargetInvalid extends HometelError {
  readonly code = 'callhandling.target-invalid';
  constructor(readonly target: string) {
    super(`cannot forward to ${JSON.stringify(target)}: give a phone number or a sip:/tel: URI`);
  }
}

const uri = /^(sips?:[^\s@]+@[^\s@]+|sips?:[^\s@:]+|tel:\+?[0-9*#()\-. ]{1,32})$/i;

/** The target as it will be called, trimmed; throws ForwardTargetInvalid. */
export function forwardTarget(target: string, numberKey: (address: string) => string | undefined): string {
  const t = target.trim();
  if (t.length === 0 || t.length > 256) throw new ForwardTargetInvalid(target);
  if (uri.test(t)) return t;
  if (/^\+?[0-9][0-9 ()\-./]*$/.test(t) && numberKey(t) !== undefined) return t;
  throw new ForwardTargetInvalid(target);
}
