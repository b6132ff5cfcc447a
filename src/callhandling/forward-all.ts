/**
 * Forward all: a PBX's unconditional call forward for the whole home (the phones' feature codes *72 / *73, the CLI,
 * the HTTP API). One setting in the store, so the running hub and a command next to it see the same.
 */
import type { CallRecordRepository } from './call-record.js';
import { forwardTarget } from './forward-target.js';

export class ForwardAll {
  constructor(
    private readonly store: Pick<CallRecordRepository, 'forwardAll' | 'saveForwardAll'>,
    private readonly numberKey: (address: string) => string | undefined,
  ) {}

  /** The target every call goes to, undefined when off. */
  target(): string | undefined {
    return this.store.forwardAll();
  }

  /** Sets (a number or sip:/tel: URI; throws InvalidForwardTarget and changes nothing) or clears the target. */
  set(target: string | undefined): string | undefined {
    const checked = target === undefined ? undefined : forwardTarget(target, this.numberKey);
    this.store.saveForwardAll(checked);
    return checked;
  }
}
