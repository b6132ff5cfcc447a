// Phones: the extensions of the home's desk phones, DECT bases and softphones (issue 14) — number, name, user, the
// devices registered now, each extension's and person's presence; add one, change its password, remove it. The hub
// checks every value and says what is wrong; a password goes to the hub once and is never shown again (it keeps only
// its Digest HA1 values).
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, type Extension, type PresenceList, type PresenceState, type Registration } from '../api.js';
import { PresenceBadge } from '../components/presence-badge.js';
import { attempt, live, useAction, useLive } from '../live.js';

/** The presence, unless this hub serves none (a web server without the phones' presence). */
const presenceIfServed = (): Promise<PresenceList | undefined> =>
  api.presence().catch((e: unknown) => {
    if (e instanceof ApiError && e.status === 404) return undefined;
    throw e;
  });

const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

/** A password and its repetition (typed blind: the form checks they match before sending). */
function PasswordFields({ password, again, set, focus = false }: { password: string; again: string; set: (password: string, again: string) => void; focus?: boolean }) {
  return (
    <>
      <label>Password <input type="password" name="password" autoComplete="new-password" autoFocus={focus} value={password} onInput={(e) => set(e.currentTarget.value, again)} /></label>
      <label>Again <input type="password" name="again" autoComplete="new-password" value={again} onInput={(e) => set(password, e.currentTarget.value)} /></label>
    </>
  );
}

const differ = (password: string, again: string): boolean => {
  if (password === again) return false;
  live.notice('The passwords differ.');
  return true;
};

function NewExtension({ done, cancel }: { done: () => void; cancel: () => void }) {
  const [number, setNumber] = useState('');
  const [name, setName] = useState('');
  const [user, setUser] = useState('');
  const [pw, setPw] = useState({ password: '', again: '' });
  const { busy, run } = useAction();
  const add = async (): Promise<void> => {
    if (differ(pw.password, pw.again)) return;
    const draft = { number: number.trim(), password: pw.password, ...(name.trim() ? { displayName: name.trim() } : {}), ...(user.trim() ? { user: user.trim() } : {}) };
    if (await run(() => api.addPhone(draft))) done();
  };
  return (
    <form class="card editor" aria-label="New extension" onSubmit={(e) => { e.preventDefault(); void add(); }}>
      <h2>New extension</h2>
      <div class="inline">
        <label>Number <input name="number" value={number} inputMode="numeric" placeholder="21" maxLength={6} autoFocus onInput={(e) => setNumber(e.currentTarget.value)} /></label>
        <label>Name <input name="name" value={name} maxLength={64} placeholder="Kitchen" onInput={(e) => setName(e.currentTarget.value)} /></label>
        <label>User <input name="user" value={user} maxLength={64} placeholder="anna" onInput={(e) => setUser(e.currentTarget.value)} /></label>
      </div>
      <div class="inline"><PasswordFields password={pw.password} again={pw.again} set={(password, again) => setPw({ password, again })} /></div>
      <div class="actions">
        <button class="primary" disabled={busy || number.trim() === ''}>Add extension</button>
        <button type="button" onClick={cancel}>Cancel</button>
      </div>
    </form>
  );
}

function PasswordChange({ number, done }: { number: string; done: () => void }) {
  const [pw, setPw] = useState({ password: '', again: '' });
  const { busy, run } = useAction();
  const save = async (): Promise<void> => {
    if (differ(pw.password, pw.again)) return;
    if (await run(() => api.setPhonePassword(number, pw.password))) {
      live.notice(`Extension ${number} has a new password: set it in its phones.`);
      done();
    }
  };
  return (
    <form class="inline" aria-label={`New password for ${number}`} onSubmit={(e) => { e.preventDefault(); void save(); }}>
      <PasswordFields password={pw.password} again={pw.again} set={(password, again) => setPw({ password, again })} focus />
      <button class="primary" disabled={busy}>Save the password</button>
      <button type="button" onClick={done}>Cancel</button>
    </form>
  );
}

function ExtensionCard({ e, presence, changed }: { e: Extension; presence: PresenceState | undefined; changed: () => void }) {
  const [changing, setChanging] = useState(false);
  const remove = (): void => {
    if (confirm(`Remove extension ${e.number}${e.displayName ? ` (${e.displayName})` : ''}? Its phones can no longer register.`)) void attempt(() => api.removePhone(e.number)).then((ok) => ok && changed());
  };
  return (
    <li class="card extension" data-number={e.number}>
      <div class="row">
        <strong>{e.number}{e.displayName ? ` ${e.displayName}` : ''}</strong>
        {presence && <PresenceBadge state={presence} />}
        <span class={e.registrations > 0 ? 'tag' : 'tag bad'}>{e.registrations > 0 ? `${plural(e.registrations, 'device')} registered` : 'not registered'}</span>
      </div>
      {e.user && <div class="muted">belongs to {e.user}</div>}
      {changing ? (
        <PasswordChange number={e.number} done={() => setChanging(false)} />
      ) : (
        <div class="actions">
          <button onClick={() => setChanging(true)}>Change password</button>
          <button class="danger" aria-label={`Remove extension ${e.number}`} onClick={remove}>Remove</button>
        </div>
      )}
    </li>
  );
}

export function PhonesPage() {
  const [extensions, setExtensions] = useState<Extension[] | undefined>();
  const [devices, setDevices] = useState<Registration[]>([]);
  const [presence, setPresence] = useState<PresenceList | undefined>();
  const [off, setOff] = useState(false);
  const [adding, setAdding] = useState(false);
  const [version, setVersion] = useState(0);
  // Presence moves with the calls: the page reads it again whenever a call of the home changes.
  const { calls } = useLive();
  const callsNow = [...calls.values()].map((c) => `${c.callID} ${c.status}`).join();
  useEffect(() => {
    void attempt(async () => {
      try {
        const [list, registered, now] = await Promise.all([api.phones(), api.phoneRegistrations(), presenceIfServed()]);
        setExtensions(list.extensions);
        setDevices(registered.registrations);
        setPresence(now);
      } catch (e) {
        // No phone routes: the config has no "phones" section.
        if (e instanceof ApiError && e.status === 404) return setOff(true);
        throw e;
      }
    });
  }, [version, callsNow]);
  const reload = (): void => setVersion(version + 1);
  if (off) {
    return (
      <>
        <h1>Phones</h1>
        <p class="card" role="status">hometel is not the phones' registrar: add <code>"phones": {'{}'}</code> to the config file and restart it. Extensions can be prepared with <code>hometel phones add</code> meanwhile.</p>
      </>
    );
  }
  return (
    <>
      <h1>Phones</h1>
      <p class="muted">Desk phones, DECT bases and softphones register with this hub (SIP, port 5060 unless configured otherwise) with the extension number as user name and its password.</p>
      <div class="inline toolbar">
        <button class="primary" onClick={() => setAdding(true)}>New extension</button>
        <button onClick={reload}>Refresh</button>
        {extensions && <span class="muted" role="status">{plural(extensions.length, 'extension')}, {plural(devices.length, 'device')} registered</span>}
      </div>
      {adding && <NewExtension done={() => { setAdding(false); reload(); }} cancel={() => setAdding(false)} />}
      <ul class="cards extensions">
        {extensions?.map((e) => <ExtensionCard key={e.number} e={e} presence={presence?.extensions.find((p) => p.number === e.number)?.state} changed={reload} />)}
      </ul>
      {presence && presence.users.length > 0 && (
        <>
          <h2>People</h2>
          <ul class="cards people">
            {presence.users.map((u) => (
              <li key={u.user} class="card person" data-user={u.user}>
                <div class="row">
                  <strong>{u.user}</strong>
                  <PresenceBadge state={u.state} />
                </div>
                <div class="muted">extensions {u.extensions.join(', ')}</div>
              </li>
            ))}
          </ul>
        </>
      )}
      <h2>Registered devices</h2>
      {devices.length === 0 && <p class="muted">No phone is registered now.</p>}
      <ul class="cards devices">
        {devices.map((d) => (
          <li key={`${d.extension} ${d.contact}`} class="card device">
            <div class="row">
              <strong>{d.extension}</strong>
              <span class="muted">until {new Date(d.expiresAt).toLocaleTimeString()}</span>
            </div>
            <code class="token">{d.contact}</code>
            <div class="muted">from {d.source}</div>
            {d.userAgent && <div class="muted">{d.userAgent}</div>}
          </li>
        ))}
      </ul>
    </>
  );
}
