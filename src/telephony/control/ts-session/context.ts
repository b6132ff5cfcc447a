/** The parts of a TsSession that its flows use. */
import type { CallSync } from './call-sync.js';
import type { TelCPLease } from './lease.js';
import type { MediaOrchestration } from './media-orchestration.js';

export interface FlowContext {
  readonly lease: TelCPLease;
  readonly sync: CallSync;
  readonly media: MediaOrchestration;
  /** Runs a step in the background: its failure is a warning, not a crash. */
  readonly background: (p: Promise<unknown>) => void;
}
