/**
 * The line of a Telephony Server that has no WAN connection (no SIP account configured): it has no
 * identity (GetTelephonyIdentity answers 714), every outgoing call to the outside fails, and nothing
 * ever comes in. Calls inside the home still work through the in-home line in front of it.
 */
import type { Line, LineListener, OutgoingCallRequest } from '../domain/index.js';

export class UnconnectedLine implements Line {
  private listener?: LineListener;
  private next = 1;

  constructor(private readonly later: (fn: () => void) => void) {}

  identity(): string | undefined {
    return undefined;
  }

  setListener(listener: LineListener): void {
    this.listener = listener;
  }

  place(_request: OutgoingCallRequest): string {
    const id = `unconnected-${this.next++}`;
    this.later(() => this.listener?.failed(id, 'Error'));
    return id;
  }

  answer(): void {}
  reject(): void {}
  redirect(): void {}
  cancel(): void {}
  hangUp(): void {}
  modify(id: string): void {
    this.later(() => this.listener?.modifyRejected(id));
  }
  acceptModify(): void {}
  rejectModify(): void {}
  watchAvailability(): void {}
}
