/**
 * The message knowledge the transaction layer needs, on top of the codec's helpers: the matching keys of
 * RFC 3261 17.1.3 and 17.2.3, and the two messages a transaction makes itself — the ACK for a non-2xx
 * final response (17.1.1.3) and the 100 Trying of an INVITE server transaction (17.2.1).
 */
import { request as buildRequest, responseTo } from '../message/codec.js';
import { cseq, isRfc3261Branch, nameAddr, topVia } from '../message/headers.js';
import type { SipRequest, SipResponse } from '../message/types.js';
import { viaSentBy } from '../transport/via.js';

/**
 * RFC 3261 17.1.3: a response matches the client transaction whose request had the same top-Via branch
 * and the same method as the response's CSeq method (so a CANCEL's responses never match its INVITE).
 */
export function clientKeyOfResponse(response: SipResponse): string | undefined {
  const branch = topVia(response)?.branch;
  const c = cseq(response);
  return branch && c ? `${branch}|${c.method}` : undefined;
}

export function clientKeyOfRequest(request: SipRequest): string | undefined {
  const branch = topVia(request)?.branch;
  return branch ? `${branch}|${request.method}` : undefined;
}

/**
 * RFC 3261 17.2.3: a request matches the server transaction with the same top-Via branch (with the magic
 * cookie), the same sent-by, and the same method — except that an ACK matches the INVITE's transaction.
 * `asMethod` looks up another method's transaction with the same branch (a CANCEL's INVITE, RFC 3261 9.2).
 * Without the magic cookie (RFC 2543 peers) the key is the Request-URI, From tag, Call-ID, CSeq number and the
 * top Via's sent-by and branch (17.2.3's fallback, without the To tag, which an INVITE lacks and its ACK has).
 */
export function serverKey(request: SipRequest, asMethod?: string): string | undefined {
  const via = topVia(request);
  if (!via) return undefined;
  const method = asMethod ?? (request.method === 'ACK' ? 'INVITE' : request.method);
  if (isRfc3261Branch(via.branch)) return `${via.branch}|${viaSentBy(via)}|${method}`;
  const c = cseq(request);
  const callId = request.headers.get('Call-ID');
  if (!c || callId === undefined) return undefined;
  const fromTag = nameAddr(request.headers.get('From') ?? '')?.tag ?? '';
  return `2543|${request.uri}|${fromTag}|${callId}|${c.seq}|${via.transport} ${viaSentBy(via)};${via.branch ?? ''}|${method}`;
}

/**
 * RFC 3261 17.1.1.3: the ACK an INVITE client transaction sends for a 3xx–6xx response — same Request-URI,
 * Call-ID, From, CSeq number and top Via (only) as the INVITE, To from the response, the INVITE's Route
 * headers, method ACK in the CSeq.
 */
export function ackForNonSuccess(invite: SipRequest, response: SipResponse): SipRequest {
  const h: Array<readonly [string, string]> = [];
  const via = invite.headers.get('Via');
  if (via !== undefined) h.push(['Via', via]);
  h.push(['Max-Forwards', '70']);
  for (const r of invite.headers.all('Route')) h.push(['Route', r]);
  const from = invite.headers.get('From');
  if (from !== undefined) h.push(['From', from]);
  const to = response.headers.get('To');
  if (to !== undefined) h.push(['To', to]);
  const callId = invite.headers.get('Call-ID');
  if (callId !== undefined) h.push(['Call-ID', callId]);
  h.push(['CSeq', `${cseq(invite)?.seq ?? 0} ACK`]);
  return buildRequest('ACK', invite.uri, h);
}

/** RFC 3261 8.2.6.1 / 17.2.1: the 100 Trying for a request (Via, From, To without tag, Call-ID, CSeq, Timestamp). */
export function tryingFor(request: SipRequest): SipResponse {
  return responseTo(request, 100, 'Trying');
}
