// Calls: the live Calls of every line as they change — status, remote party, the Telephony Clients carrying each
// Call — with hang up, add or remove a client, and mixing on or off.
import { useState } from 'preact/hooks';
import { api, type Call, type Home } from '../api.js';
import { attempt, clientName, lineName, type LiveState } from '../live.js';

function ClientsEditor({ call, home }: { call: Call; home: Home }) {
  const [chosen, setChosen] = useState(new Set(call.clients));
  const toggle = (udn: string): void => {
    const next = new Set(chosen);
    if (next.has(udn)) next.delete(udn);
    else next.add(udn);
    setChosen(next);
  };
  const online = home.clients.filter((c) => c.online || call.clients.includes(c.udn));
  return (
    <fieldset>
      <legend>Telephony Clients</legend>
      {online.map((c) => (
        <label key={c.udn} class="check">
          <input type="checkbox" checked={chosen.has(c.udn)} onChange={() => toggle(c.udn)} /> {c.friendlyName}
        </label>
      ))}
      <button disabled={chosen.size === 0} onClick={() => void act(() => api.setClients(call, [...chosen]))}>Apply</button>
    </fieldset>
  );
}

const act = attempt;

function CallRow({ call, home }: { call: Call; home: Home }) {
  const [editing, setEditing] = useState(false);
  const who = call.remote?.name ? `${call.remote.name} (${call.remote.id})` : (call.remote?.id ?? 'unknown');
  return (
    <li class="card call" data-call={call.callID}>
      <div class="row">
        <strong>{who}</strong>
        <span class={`status s-${call.status}`}>{call.status}</span>
      </div>
      <div class="muted">
        {call.direction ?? ''} on {lineName(home, call.line)}
        {call.clients.length > 0 && <> · on {call.clients.map((u) => clientName(home, u)).join(', ')}</>}
      </div>
      {call.managed && (
        <div class="actions">
          <button class="danger" onClick={() => void act(() => api.hangup(call))}>Hang up</button>
          {call.status === 'Talking' && (
            <>
              <button aria-expanded={editing} onClick={() => setEditing(!editing)}>Clients…</button>
              <label class="check">
                <input type="checkbox" checked={call.mixing ?? false} onChange={(e) => void act(() => api.setMixing(call, e.currentTarget.checked))} /> Mixing
              </label>
            </>
          )}
        </div>
      )}
      {editing && <ClientsEditor call={call} home={home} />}
    </li>
  );
}

export function CallsPage({ s }: { s: LiveState }) {
  const calls = [...s.calls.values()].sort((a, b) => a.since - b.since);
  return (
    <>
      <h1>Calls</h1>
      {calls.length === 0 ? <p class="muted">No calls right now.</p> : (
        <ul class="cards">{calls.map((c) => <CallRow key={`${c.line} ${c.callID}`} call={c} home={s.home} />)}</ul>
      )}
    </>
  );
}
