/**
 * hometel's figures in the Prometheus text format (served at /metrics by the web server): calls by direction and
 * outcome, active calls, RTP packets relayed and dropped (by the relay and by the browsers' WebRTC bridge), SIP
 * transactions by method and response class, GENA subscribers, HTTP requests by route and status, and the process
 * itself (prom-client's default metrics).
 *
 * One Registry of its own, never prom-client's global one, so two hubs in one process (tests) do not mix. The other
 * layers know nothing of this module: each source is a small interface here that the part already satisfies (the
 * Telephony Server's service, the SIP line, the relay's media plane, the UPnP device host, the WebRTC bridge), read when Prometheus
 * scrapes or heard as it happens. Every label takes values from a fixed set (or from the configuration: line names,
 * the web server's route patterns), so the number of series stays bounded whatever the network sends.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type CallDirection = 'incoming' | 'outgoing';

/** A Call that ended, as the Telephony Server reports it. */
export interface EndedCall {
  readonly direction: CallDirection;
  readonly outcome: string;
}

/** A Telephony Server: its Calls not yet over, and every Call that ends. */
export interface CallSource {
  readonly activeCalls: number;
  onCallEnded(listener: (call: EndedCall) => void): unknown;
}

/** How a SIP transaction ended: its final response's status, or none (Timer B/F, a transport error). */
export interface SipTransactionOutcome {
  readonly role: 'client' | 'server';
  readonly method: string;
  readonly result: number | 'timeout' | 'transport-error';
}

/** A SIP stack (a SIP line) that reports every transaction's result. */
export interface SipTransactionSource {
  onTransactionOutcome(listener: (outcome: SipTransactionOutcome) => void): unknown;
}

/** The RTP relay's totals since it started; they only grow. */
export interface RtpPacketTotals {
  readonly relayed: number;
  readonly foreign: number;
  readonly malformed: number;
  readonly unroutable: number;
}

export interface RtpPacketSource {
  packetTotals(): RtpPacketTotals;
}

/** A UPnP device host: control points subscribed to each service (by serviceId). */
export interface GenaSubscriberSource {
  subscribersByService(): ReadonlyMap<string, number>;
}

/** The WebRTC bridge of the browsers' Telephony Clients: its running totals (they only grow, but `sessions`). */
export interface WebRtcCounterSource {
  readonly counters: {
    readonly sessions: number;
    readonly packetsToBrowser: number;
    readonly packetsFromBrowser: number;
    readonly dropped: number;
  };
}

export interface HometelMetricsOptions {
  /** The values of the calls' `outcome` label (the telephony domain's list); the counters start at 0 for each. */
  readonly callOutcomes: readonly string[];
  /** prom-client's process and Node.js metrics (CPU, memory, event loop, GC); default true. */
  readonly processMetrics?: boolean;
}

/** SIP methods counted by name (RFC 3261 and the extensions hometel meets); any other is `other`. */
const sipMethods = new Set(['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'SUBSCRIBE', 'NOTIFY', 'INFO', 'UPDATE', 'PRACK', 'REFER', 'MESSAGE', 'PUBLISH']);
const httpMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);
const dropReasons = ['foreign', 'malformed', 'unroutable'] as const;
/**
 * prom-client's gauges named `…_total`, which `promtool check metrics` refuses (a `_total` suffix is for counters);
 * the same figures are there without the suffix (`nodejs_active_handles` by type, …).
 */
const lintFailingDefaults = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

function sipClass(result: SipTransactionOutcome['result']): string {
  if (typeof result !== 'number') return result;
  return Number.isInteger(result) && result >= 100 && result <= 699 ? `${Math.floor(result / 100)}xx` : 'other';
}

function sumTotals(sources: readonly RtpPacketSource[]): RtpPacketTotals {
  const sum = { relayed: 0, foreign: 0, malformed: 0, unroutable: 0 };
  for (const s of sources) {
    const t = s.packetTotals();
    sum.relayed += t.relayed;
    sum.foreign += t.foreign;
    sum.malformed += t.malformed;
    sum.unroutable += t.unroutable;
  }
  return sum;
}

export class HometelMetrics {
  readonly registry = new Registry();
  private readonly outcomes: ReadonlySet<string>;
  private readonly calls: Counter<'direction' | 'outcome'>;
  private readonly sipTransactions: Counter<'role' | 'method' | 'class'>;
  private readonly httpRequests: Counter<'route' | 'method' | 'status'>;
  private readonly httpDuration: Histogram<'route' | 'method'>;
  private readonly callSources = new Map<string, CallSource>();
  private readonly rtpSources: RtpPacketSource[] = [];
  private readonly genaSources = new Set<GenaSubscriberSource>();
  private readonly webRtcSources = new Set<WebRtcCounterSource>();
  /** What removed WebRTC sources had counted: the counters only grow. */
  private readonly webRtcDeparted = { packetsToBrowser: 0, packetsFromBrowser: 0, dropped: 0 };

  constructor(o: HometelMetricsOptions) {
    const registers = [this.registry];
    this.outcomes = new Set(o.callOutcomes);
    this.calls = new Counter({
      name: 'hometel_calls_total',
      help: 'Calls that ended, by direction and outcome (answered, or why not).',
      labelNames: ['direction', 'outcome'],
      registers,
    });
    // Every series exists from the start, so that a rate over the first call is right.
    for (const direction of ['incoming', 'outgoing'] as const) for (const outcome of o.callOutcomes) this.calls.inc({ direction, outcome }, 0);
    const callSources = this.callSources;
    new Gauge({
      name: 'hometel_active_calls',
      help: 'Calls not yet over (Dialing to Talking), per line (Telephony Server).',
      labelNames: ['line'],
      registers,
      collect() {
        this.reset();
        for (const [line, source] of callSources) this.set({ line }, source.activeCalls);
      },
    });
    const rtpSources = this.rtpSources;
    new Counter({
      name: 'hometel_rtp_packets_relayed_total',
      help: 'RTP packets the relay sent on to a Remote Party or a Telephony Client (forwarded, transcoded or mixed).',
      registers,
      collect() {
        this.reset();
        this.inc(sumTotals(rtpSources).relayed);
      },
    });
    new Counter({
      name: 'hometel_rtp_packets_dropped_total',
      help: 'RTP and RTCP datagrams the relay dropped, by reason: foreign (not from the call\'s peer), malformed, unroutable (no common codec).',
      labelNames: ['reason'],
      registers,
      collect() {
        this.reset();
        const totals = sumTotals(rtpSources);
        for (const reason of dropReasons) this.inc({ reason }, totals[reason]);
      },
    });
    this.sipTransactions = new Counter({
      name: 'hometel_sip_transactions_total',
      help: 'SIP transactions that ended, by role (client, server), method and result (response class 2xx-6xx, timeout, transport-error).',
      labelNames: ['role', 'method', 'class'],
      registers,
    });
    const genaSources = this.genaSources;
    new Gauge({
      name: 'hometel_gena_subscribers',
      help: 'Control points subscribed to UPnP events (GENA), by serviceId.',
      labelNames: ['service'],
      registers,
      collect() {
        this.reset();
        const sums = new Map<string, number>();
        for (const g of genaSources) for (const [service, n] of g.subscribersByService()) sums.set(service, (sums.get(service) ?? 0) + n);
        for (const [service, n] of sums) this.set({ service }, n);
      },
    });
    const webRtcSources = this.webRtcSources;
    const departed = this.webRtcDeparted;
    const webRtc = (): WebRtcCounterSource['counters'] => {
      const sum = { sessions: 0, ...departed };
      for (const w of webRtcSources) {
        const c = w.counters;
        sum.sessions += c.sessions;
        sum.packetsToBrowser += c.packetsToBrowser;
        sum.packetsFromBrowser += c.packetsFromBrowser;
        sum.dropped += c.dropped;
      }
      return sum;
    };
    new Gauge({
      name: 'hometel_webrtc_sessions',
      help: 'Media sessions of browsers (Telephony Clients over WebRTC) open now.',
      registers,
      collect() {
        this.set(webRtc().sessions);
      },
    });
    new Counter({
      name: 'hometel_webrtc_packets_relayed_total',
      help: 'RTP packets the WebRTC bridge passed on, by direction (to-browser, from-browser).',
      labelNames: ['direction'],
      registers,
      collect() {
        this.reset();
        const c = webRtc();
        this.inc({ direction: 'to-browser' }, c.packetsToBrowser);
        this.inc({ direction: 'from-browser' }, c.packetsFromBrowser);
      },
    });
    new Counter({
      name: 'hometel_webrtc_packets_dropped_total',
      help: 'Packets the WebRTC bridge did not pass on (not RTP, from a stranger, a codec the other side lacks, on hold).',
      registers,
      collect() {
        this.reset();
        this.inc(webRtc().dropped);
      },
    });
    this.httpRequests = new Counter({
      name: 'hometel_http_requests_total',
      help: 'HTTP requests the web server answered, by route pattern, method and status code.',
      labelNames: ['route', 'method', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'hometel_http_request_duration_seconds',
      help: 'Time the web server took to answer a request, by route pattern and method.',
      labelNames: ['route', 'method'],
      registers,
    });
    if (o.processMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry });
      for (const name of lintFailingDefaults) this.registry.removeSingleMetric(name);
    }
  }

  /** The value of the Content-Type header for `text()`. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Every figure in the Prometheus text exposition format (0.0.4). */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /**
   * One HTTP request answered. `route` is the route's pattern (`/api/calls/:id`), never the URL as requested, and a
   * fixed name for requests no route matched, so that the label keeps few values.
   */
  httpRequest(route: string, method: string, status: number, seconds: number): void {
    const m = method.toUpperCase();
    const labels = { route, method: httpMethods.has(m) ? m : 'other' };
    this.httpRequests.inc({ ...labels, status: Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : 'other' });
    this.httpDuration.observe(labels, seconds);
  }

  /** A Call ended; an outcome outside the configured list counts as `other`. */
  callEnded(direction: CallDirection, outcome: string): void {
    this.calls.inc({ direction, outcome: this.outcomes.has(outcome) ? outcome : 'other' });
  }

  sipTransaction(o: SipTransactionOutcome): void {
    const method = o.method.toUpperCase();
    this.sipTransactions.inc({ role: o.role, method: sipMethods.has(method) ? method : 'other', class: sipClass(o.result) });
  }

  /** A Telephony Server named by its line: its active Calls are read at each scrape, its ended Calls counted. */
  addCallSource(line: string, source: CallSource): void {
    this.callSources.set(line, source);
    source.onCallEnded((call) => this.callEnded(call.direction, call.outcome));
  }

  addSipSource(source: SipTransactionSource): void {
    source.onTransactionOutcome((o) => this.sipTransaction(o));
  }

  /** A relay whose totals are added to the RTP counters at each scrape. */
  addRtpSource(source: RtpPacketSource): void {
    this.rtpSources.push(source);
  }

  /** A device host whose subscribers are read at each scrape, until the returned function removes it (a host that stops). */
  addGenaSource(source: GenaSubscriberSource): () => void {
    this.genaSources.add(source);
    return () => this.genaSources.delete(source);
  }

  /**
   * A browser's WebRTC bridge, read at each scrape until the returned function removes it (the page went); its
   * packet counts stay in the totals.
   */
  addWebRtcSource(source: WebRtcCounterSource): () => void {
    this.webRtcSources.add(source);
    return () => {
      if (!this.webRtcSources.delete(source)) return;
      const c = source.counters;
      this.webRtcDeparted.packetsToBrowser += c.packetsToBrowser;
      this.webRtcDeparted.packetsFromBrowser += c.packetsFromBrowser;
      this.webRtcDeparted.dropped += c.dropped;
    };
  }
}
