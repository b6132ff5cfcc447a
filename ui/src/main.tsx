// The web application: log in (or first-run setup), then the pages with the live event stream behind them and
// the incoming-call popup over every page.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, type SessionState } from './api.js';
import { IncomingCalls } from './components/incoming.js';
import { live, useLive } from './live.js';
import { LoginPage, SettingsPage, SetupPage } from './pages/account.js';
import { CallsPage } from './pages/calls.js';
import { DialPage } from './pages/dial.js';
import { HomePage } from './pages/home.js';
import { LogPage } from './pages/log.js';
import { ContactsPage } from './pages/contacts.js';
import { RulesPage } from './pages/rules.js';
import { PhonesPage } from './pages/phones.js';
import { DevicesPage } from './pages/devices.js';
import { VoicemailPage } from './pages/voicemail.js';
import { linkClick, navigate, usePath } from './router.js';

const pages = [
  { path: '/', label: 'Home' },
  { path: '/calls', label: 'Calls' },
  { path: '/dial', label: 'Dial' },
  { path: '/log', label: 'Call log' },
  { path: '/contacts', label: 'Contacts' },
  { path: '/rules', label: 'Rules' },
  { path: '/voicemail', label: 'Voicemail' },
  { path: '/phones', label: 'Phones' },
  { path: '/devices', label: 'Devices' },
  { path: '/settings', label: 'Settings' },
];

function Shell({ loggedOut }: { loggedOut: () => void }) {
  const path = usePath();
  const s = useLive();
  useEffect(() => {
    live.connect();
    return () => live.disconnect();
  }, []);
  const page =
    path === '/calls' ? <CallsPage s={s} /> :
    path === '/dial' ? <DialPage s={s} /> :
    path === '/log' ? <LogPage s={s} /> :
    path === '/contacts' ? <ContactsPage /> :
    path === '/rules' ? <RulesPage /> :
    path === '/voicemail' ? <VoicemailPage s={s} /> :
    path === '/phones' ? <PhonesPage /> :
    path === '/devices' ? <DevicesPage /> :
    path === '/settings' ? <SettingsPage loggedOut={loggedOut} /> :
    <HomePage s={s} />;
  return (
    <>
      <header>
        <a class="brand" href="/" onClick={(e) => linkClick(e, '/')}>hometel</a>
        <nav aria-label="Pages">
          {pages.map((p) => (
            <a key={p.path} href={p.path} aria-current={p.path === path ? 'page' : undefined} onClick={(e) => linkClick(e, p.path)}>
              {p.label}{p.path === '/calls' && s.calls.size > 0 ? ` (${s.calls.size})` : ''}{p.path === '/voicemail' && s.voicemail.unread > 0 ? ` (${s.voicemail.unread})` : ''}
            </a>
          ))}
        </nav>
        <span class={s.connected ? 'ok dot' : 'bad dot'} title={s.connected ? 'live' : 'reconnecting'} aria-label={s.connected ? 'live' : 'reconnecting'} />
      </header>
      <main>{page}</main>
      <IncomingCalls incoming={s.incoming} home={s.home} />
      <div class="notices" role="status" aria-live="polite">
        {s.notices.map((n) => <p key={n.id} class="notice">{n.text}</p>)}
      </div>
    </>
  );
}

function App() {
  const [session, setSession] = useState<SessionState | undefined>();
  const probe = (): void => void api.session().then(setSession, () => setSession({ authenticated: false, setupNeeded: false }));
  useEffect(probe, []);
  if (!session) return null;
  if (session.authenticated) return <Shell loggedOut={() => { live.disconnect(); navigate('/'); probe(); }} />;
  if (session.setupNeeded) return <main><SetupPage done={probe} /></main>;
  // A setup link opened after the password was set: say so, and offer the login.
  const usedLink = location.pathname === '/setup';
  return (
    <main>
      {usedLink && <p role="alert" class="narrow">This setup link has been used already: log in with the admin password.</p>}
      <LoginPage done={() => { history.replaceState(null, '', '/'); probe(); }} />
    </main>
  );
}

render(<App />, document.getElementById('app')!);
