/** The SIP line tests' LineListener: what a line reported, to wait for and to assert on. */
import type { LineFailure, LineListener, RemotePeer } from '../../src/telephony/domain/line.js';
import { waitFor } from './net.js';

/** A LineListener that records every event as a line of text, the incoming calls and the SDP each call last had. */
export class LineRecorder implements LineListener {
  readonly events: string[] = [];
  readonly incomingCalls: Array<{ id: string; from: RemotePeer; to: string; sdp: string | undefined }> = [];
  readonly sdp = new Map<string, string | undefined>();
  incoming(id: string, from: RemotePeer, to: string, sdp: string | undefined): void {
    this.incomingCalls.push({ id, from, to, sdp });
    this.events.push(`incoming ${from.id}`);
  }
  provisional(): void {
    this.events.push('provisional');
  }
  answered(id: string, sdp: string | undefined): void {
    this.sdp.set(id, sdp);
    this.events.push('answered');
  }
  failed(_id: string, reason: LineFailure): void {
    this.events.push(`failed ${reason}`);
  }
  remoteCancelled(): void {
    this.events.push('remoteCancelled');
  }
  remoteHangUp(): void {
    this.events.push('remoteHangUp');
  }
  remoteModify(id: string, sdp: string): void {
    this.sdp.set(id, sdp);
    this.events.push('remoteModify');
  }
  remoteModifyCancelled(): void {
    this.events.push('remoteModifyCancelled');
  }
  modifyAccepted(id: string, sdp: string): void {
    this.sdp.set(id, sdp);
    this.events.push('modifyAccepted');
  }
  modifyRejected(): void {
    this.events.push('modifyRejected');
  }
  availability(callee: string, available: boolean): void {
    this.events.push(`availability ${callee} ${available}`);
  }
  has(event: string): boolean {
    return this.events.includes(event);
  }
  async wait(event: string, what = event): Promise<void> {
    await waitFor(() => this.has(event), `${what} (seen: ${this.events.join(', ')})`);
  }
  /** The line id of the latest incoming call. */
  async nextIncoming(count: number): Promise<{ id: string; from: RemotePeer; to: string; sdp: string | undefined }> {
    await waitFor(() => this.incomingCalls.length >= count, `incoming call ${count}`);
    return this.incomingCalls[count - 1]!;
  }
}
