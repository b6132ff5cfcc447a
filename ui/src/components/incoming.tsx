// The incoming-call popup on every page (issue 11): caller number and name, when, and Answer here / Answer on a
// Telephony Client / Reject; and (issue 13) Forward… to a number, Voicemail, Ignore (this screen only), and who
// decided once someone did. Focus goes to "Answer here" so a keyboard (or a TV remote) answers with Enter.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type Call, type Home } from '../api.js';
import { phone } from '../browser-phone.js';
import { live, useAction, type Incoming } from '../live.js';

function time(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

function Popup({ item, home }: { item: Incoming; home: Home }) {
  const { call } = item;
  const clients = home.clients.filter((c) => c.online && c.udn !== phone.udn);
  const [target, setTarget] = useState(clients[0]?.udn ?? '');
  const { busy, run } = useAction();
  const act = (f: () => Promise<unknown>): Promise<boolean> => run(f);
  const [forwarding, setForwarding] = useState(false);
  const [number, setNumber] = useState('');
  const first = useRef<HTMLButtonElement>(null);
  const label = phone.savedName || 'browser';
  useEffect(() => first.current?.focus(), []);
  const here = async (): Promise<void> => {
    const name = phone.savedName || 'This browser';
    const udn = await phone.enable(name);
    await api.answer(call, udn, name);
  };
  const on = async (): Promise<void> => {
    const name = home.clients.find((c) => c.udn === target)?.friendlyName ?? target;
    await api.answer(call, target, name);
  };
  const who = call.remote?.name ?? call.remote?.id ?? 'Unknown caller';
  return (
    <section class="popup" role="alertdialog" aria-labelledby={`in-${call.callID}`} aria-describedby={`in-d-${call.callID}`} data-call={call.callID}>
      <h2 id={`in-${call.callID}`}>Incoming call</h2>
      <p id={`in-d-${call.callID}`}>
        <strong class="caller">{who}</strong>
        {call.remote?.nameSource === 'caller-id' && <span class="tag" title="the name the caller's network sent; not in your contacts"> caller ID</span>}
        {call.remote?.vip && <span class="tag vip"> VIP</span>}
        {call.remote?.name && <span class="number"> {call.remote.id}</span>}
        <br />
        <span class="muted">since {time(call.since)}</span>
      </p>
      {item.answeredBy || item.decidedBy ? (
        <p class="answered" role="status">{item.answeredBy ? `Answered by ${item.answeredBy}` : `Decided by ${item.decidedBy}`}</p>
      ) : (
        <div class="actions">
          <button ref={first} class="primary" disabled={busy} onClick={() => void act(here)}>Answer here</button>
          {clients.length > 0 && (
            <span class="answer-on">
              <select aria-label="Telephony Client to answer on" value={target} onChange={(e) => setTarget(e.currentTarget.value)}>
                {clients.map((c) => <option key={c.udn} value={c.udn}>{c.friendlyName}</option>)}
              </select>
              <button disabled={busy || target === ''} onClick={() => void act(on)}>Answer on {home.clients.find((c) => c.udn === target)?.friendlyName ?? '…'}</button>
            </span>
          )}
          <button class="danger" disabled={busy} onClick={() => void act(() => api.reject(call))}>Reject</button>
          <button disabled={busy} onClick={() => void act(() => api.sendToVoicemail(call, label))}>Voicemail</button>
          <button disabled={busy} onClick={() => setForwarding(!forwarding)} aria-expanded={forwarding}>Forward…</button>
          <button disabled={busy} onClick={() => void act(() => api.ignore(call, label)).then((ok) => ok && live.dismiss(call))}>Ignore</button>
          {forwarding && (
            <form class="forward" onSubmit={(e) => { e.preventDefault(); void act(() => api.forward(call, number, label)); }}>
              <input aria-label="Number to forward to" type="tel" required value={number} placeholder="number or sip: URI" onInput={(e) => setNumber(e.currentTarget.value)} />
              <button type="submit" disabled={busy || number.trim() === ''}>Forward</button>
            </form>
          )}
        </div>
      )}
    </section>
  );
}

export function IncomingCalls({ incoming, home }: { incoming: Map<string, Incoming>; home: Home }) {
  if (incoming.size === 0) return null;
  return (
    <div class="popups">
      {[...incoming.entries()].map(([k, item]) => <Popup key={k} item={item} home={home} />)}
    </div>
  );
}

export type { Call };
