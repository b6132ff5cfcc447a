// Login, first-run setup (the one-time link hometel printed: /setup#token=…), and settings: password and API tokens.
import { useEffect, useState } from 'preact/hooks';
import { api, errorText, type NewToken, type TokenInfo } from '../api.js';

function PasswordForm({ title, submit, confirm }: { title: string; submit: (password: string) => Promise<void>; confirm?: boolean }) {
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState('');
  const go = async (): Promise<void> => {
    if (confirm && password !== again) return setError('The passwords differ.');
    setError('');
    try {
      await submit(password);
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <form class="narrow" onSubmit={(e) => { e.preventDefault(); void go(); }}>
      <h1>{title}</h1>
      <label>Password <input type="password" name="password" autoFocus autoComplete={confirm ? 'new-password' : 'current-password'} value={password} onInput={(e) => setPassword(e.currentTarget.value)} /></label>
      {confirm && <label>Again <input type="password" name="again" autoComplete="new-password" value={again} onInput={(e) => setAgain(e.currentTarget.value)} /></label>}
      {error && <p role="alert" class="bad">{error}</p>}
      <button class="primary">{confirm ? 'Set password' : 'Log in'}</button>
    </form>
  );
}

export function LoginPage({ done }: { done: () => void }) {
  return <PasswordForm title="Log in to hometel" submit={async (p) => { await api.login(p); done(); }} />;
}

export function SetupPage({ done }: { done: () => void }) {
  const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? '';
  if (token === '') return <p class="narrow">Open the setup link that hometel printed when it started.</p>;
  return <PasswordForm title="Choose the admin password" confirm submit={async (p) => { await api.setup(token, p); history.replaceState(null, '', '/'); done(); }} />;
}

export function SettingsPage({ loggedOut }: { loggedOut: () => void }) {
  const [tokens, setTokens] = useState<TokenInfo[]>([]);
  const [label, setLabel] = useState('');
  const [made, setMade] = useState<NewToken | undefined>();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [message, setMessage] = useState('');
  const load = (): void => void api.tokens().then(setTokens, (e: unknown) => setMessage(errorText(e)));
  useEffect(load, []);
  const run = async (f: () => Promise<unknown>, ok: string): Promise<void> => {
    try {
      await f();
      setMessage(ok);
    } catch (e) {
      setMessage(errorText(e));
    }
    load();
  };
  return (
    <>
      <h1>Settings</h1>
      {message && <p role="status">{message}</p>}
      <section aria-labelledby="tok-h">
        <h2 id="tok-h">API tokens</h2>
        <ul>
          {tokens.map((t) => (
            <li key={t.id}>
              {t.label} <span class="muted">made {new Date(t.created).toLocaleDateString()}</span>{' '}
              <button onClick={() => void run(() => api.revokeToken(t.id), `Token ${t.label} revoked.`)}>Revoke</button>
            </li>
          ))}
        </ul>
        <form class="inline" onSubmit={(e) => { e.preventDefault(); void run(async () => setMade(await api.createToken(label)), 'Token made.'); }}>
          <label>Label <input value={label} maxLength={100} onInput={(e) => setLabel(e.currentTarget.value)} /></label>
          <button disabled={label.trim() === ''}>Make a token</button>
        </form>
        {made && <p>Copy it now, it is shown only once: <code class="token">{made.token}</code></p>}
      </section>
      <section aria-labelledby="pw-h">
        <h2 id="pw-h">Password</h2>
        <form class="inline" onSubmit={(e) => { e.preventDefault(); void run(() => api.changePassword(current, next), 'Password changed.'); }}>
          <label>Current <input type="password" autoComplete="current-password" value={current} onInput={(e) => setCurrent(e.currentTarget.value)} /></label>
          <label>New <input type="password" autoComplete="new-password" value={next} onInput={(e) => setNext(e.currentTarget.value)} /></label>
          <button>Change</button>
        </form>
      </section>
      <p><button onClick={() => void api.logout().then(loggedOut)}>Log out</button></p>
    </>
  );
}
