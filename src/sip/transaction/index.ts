export { defaultTimers, resolveTimers, type TimerConfig } from './timers.js';
export type { TransactionTransport } from './transaction-transport.js';
export { type StateTable, type Transition, type TransactionContext, type TransactionResult } from './state-table.js';
export { ackForNonSuccess, clientKeyOfRequest, clientKeyOfResponse, serverKey, tryingFor } from './messages.js';
export {
  InviteClientTransaction,
  NonInviteClientTransaction,
  type ClientTransaction,
  type ClientTransactionDelegate,
  type InviteClientState,
  type NonInviteClientState,
} from './client-transactions.js';
export {
  InviteServerTransaction,
  NonInviteServerTransaction,
  type InviteServerState,
  type NonInviteServerState,
  type ServerTransaction,
  type ServerTransactionDelegate,
} from './server-transactions.js';
export {
  TwoHundredRetransmitter,
  type TwoHundredRetransmitterOptions,
  type TwoHundredRetransmitterState,
} from './two-hundred-retransmitter.js';
export { TransactionLayer, type TransactionLayerOptions, type TransactionOutcome, type TransactionUser } from './transaction-layer.js';
