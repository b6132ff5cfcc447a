/** hometel's Prometheus metrics: one registry of its own, fed by small source interfaces the other layers satisfy. */
export {
  HometelMetrics,
  type CallDirection,
  type CallSource,
  type EndedCall,
  type GenaSubscriberSource,
  type HometelMetricsOptions,
  type RtpPacketSource,
  type RtpPacketTotals,
  type SipTransactionOutcome,
  type SipTransactionSource,
  type WebRtcCounterSource,
} from './hometel-metrics.js';
