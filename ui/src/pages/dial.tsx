// Dial: a number pad or a SIP URI, a line, and where the call's sound goes — this browser or a Telephony Client.
import { useState } from 'preact/hooks';
import { api, errorText } from '../api.js';
import { phone } from '../browser-phone.js';
import { live, type LiveState } from '../live.js';
import { navigate } from '../router.js';

const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];
const here = 'this-browser';

export function DialPage({ s }: { s: LiveState }) {
  const lines = s.home.lines.filter((l) => l.online);
  const clients = s.home.clients.filter((c) => c.online && c.udn !== phone.udn);
  const [number, setNumber] = useState('');
  const [line, setLine] = useState('');
  const [target, setTarget] = useState(here);
  const [busy, setBusy] = useState(false);
  const chosenLine = line || lines[0]?.udn || '';
  const dial = async (): Promise<void> => {
    setBusy(true);
    try {
      const client = target === here ? await phone.enable(phone.savedName || 'This browser') : target;
      await api.dial(chosenLine, number.trim(), [client]);
      navigate('/calls');
    } catch (e) {
      live.notice(errorText(e));
    }
    setBusy(false);
  };
  return (
    <>
      <h1>Dial</h1>
      <form class="dial" onSubmit={(e) => { e.preventDefault(); void dial(); }}>
        <label>Number or SIP URI <input name="callee" value={number} autoComplete="off" inputMode="tel" onInput={(e) => setNumber(e.currentTarget.value)} /></label>
        <div class="pad" role="group" aria-label="Number pad">
          {keys.map((k) => <button type="button" key={k} onClick={() => setNumber(number + k)}>{k}</button>)}
          <button type="button" aria-label="Delete last digit" onClick={() => setNumber(number.slice(0, -1))}>⌫</button>
        </div>
        <label>Line
          <select value={chosenLine} onChange={(e) => setLine(e.currentTarget.value)}>
            {lines.map((l) => <option key={l.udn} value={l.udn}>{l.friendlyName}{l.identity ? ` (${l.identity})` : ''}</option>)}
          </select>
        </label>
        <label>Talk on
          <select name="target" value={target} onChange={(e) => setTarget(e.currentTarget.value)}>
            <option value={here}>This browser</option>
            {clients.map((c) => <option key={c.udn} value={c.udn}>{c.friendlyName}</option>)}
          </select>
        </label>
        <button class="primary" disabled={busy || number.trim() === '' || chosenLine === ''}>Call</button>
      </form>
    </>
  );
}
