// Home: the lines, the Telephony Clients and the control points online, and "use this browser for calls".
import { useState } from 'preact/hooks';
import { phone } from '../browser-phone.js';
import { live, useAction, type LiveState } from '../live.js';

function BrowserSwitch() {
  const [name, setName] = useState(phone.savedName || 'This browser');
  const action = useAction();
  const busy = action.busy;
  const run = async (f: () => Promise<unknown>): Promise<void> => {
    await action.run(f);
    void live.reload();
  };
  return phone.active ? (
    <p>
      This browser takes calls as <strong>{phone.savedName}</strong>.{' '}
      <button disabled={busy} onClick={() => void run(() => phone.disable())}>Stop using this browser</button>
    </p>
  ) : (
    <form class="inline" onSubmit={(e) => { e.preventDefault(); void run(() => phone.enable(name.trim() || 'This browser')); }}>
      <label>Name of this browser <input value={name} maxLength={64} onInput={(e) => setName(e.currentTarget.value)} /></label>
      <button class="primary" disabled={busy}>Use this browser for calls</button>
    </form>
  );
}

export function HomePage({ s }: { s: LiveState }) {
  const { lines, clients } = s.home;
  return (
    <>
      <h1>Home</h1>
      <section aria-labelledby="lines-h">
        <h2 id="lines-h">Lines</h2>
        {lines.length === 0 ? <p class="muted">No Telephony Server found yet.</p> : (
          <ul class="cards">
            {lines.map((l) => (
              <li key={l.udn} class="card">
                <strong>{l.friendlyName}</strong> <span class={l.online ? 'ok' : 'bad'}>{l.online ? 'online' : 'offline'}</span>
                {l.identity && <div class="muted">{l.identity}</div>}
                <div class="muted">Control points: {l.controlPoints.length > 0 ? l.controlPoints.join(', ') : 'none'}</div>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="clients-h">
        <h2 id="clients-h">Telephony Clients</h2>
        {clients.length === 0 ? <p class="muted">No Telephony Client found yet.</p> : (
          <ul class="cards">
            {clients.map((c) => (
              <li key={c.udn} class="card">
                <strong>{c.friendlyName}</strong> {c.browser && <span class="tag">browser</span>} <span class={c.online ? 'ok' : 'bad'}>{c.online ? 'online' : 'offline'}</span>
              </li>
            ))}
          </ul>
        )}
        <BrowserSwitch />
      </section>
    </>
  );
}
