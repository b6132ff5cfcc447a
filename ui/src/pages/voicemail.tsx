// Voicemail: the home's messages — caller, name, time, duration — played in the browser, marked read or unread for
// the whole home, deleted; each line's greeting heard and replaced by an uploaded WAV file or by a message (a greeting
// recorded by calling the line). The list follows the live stream's voicemail events, whoever made the change.
import { useEffect, useState } from 'preact/hooks';
import { api, type GreetingInfo, type VoiceMailList, type VoiceMessage } from '../api.js';
import { attempt, live, useAction, type LiveState } from '../live.js';

/** The largest greeting the hub takes (src/voicemail/greeting.ts). */
const maxGreetingBytes = 10 * 1024 * 1024;
const seg = encodeURIComponent;
const seconds = (ms: number): string => `${Math.floor(ms / 60000)}:${String(Math.round((ms % 60000) / 1000)).padStart(2, '0')}`;
const reasons = { 'messages-per-line': 'too many messages on the line', disk: 'disk budget spent' } as const;

function Greeting({ g, changed }: { g: GreetingInfo; changed: () => void }) {
  const [file, setFile] = useState<File | undefined>();
  const { busy, run } = useAction();
  const upload = async (): Promise<void> => {
    if (!file) return;
    if (file.size > maxGreetingBytes) return live.notice(`${file.name} is larger than ${maxGreetingBytes / 1048576} MiB: the greeting must be a WAV file of at most ${maxGreetingBytes / 1048576} MiB`);
    if (await run(() => api.uploadGreeting(g.line, file))) changed();
  };
  return (
    <form class="card inline greeting" onSubmit={(e) => { e.preventDefault(); void upload(); }}>
      <strong>{g.line}</strong>
      <span class="muted">{g.source === 'default' ? "hometel's chime" : g.source === 'config' ? 'from the config' : 'uploaded'}, {seconds(g.durationMs)}</span>
      <audio controls preload="none" src={`/api/voicemail/greetings/${seg(g.line)}/audio?v=${g.source}${g.durationMs}`} />
      <label>New greeting (WAV) <input type="file" name="greeting" accept=".wav,audio/wav,audio/x-wav" onChange={(e) => setFile(e.currentTarget.files?.[0])} /></label>
      <button disabled={busy || !file}>Upload</button>
      {g.source === 'uploaded' && <button type="button" onClick={() => void attempt(() => api.resetGreeting(g.line)).then((ok) => ok && changed())}>Back to the default</button>}
    </form>
  );
}

function Message({ m, greetingChanged }: { m: VoiceMessage; greetingChanged: () => void }) {
  return (
    <li class={m.read ? 'card message' : 'card message unread'} data-id={m.id}>
      <div class="row">
        <strong>{m.callerName ?? (m.callerNumber || 'Withheld number')}</strong>
        {!m.read && <span class="tag">new</span>}
      </div>
      <div class="muted">
        {m.callerName && m.callerNumber ? `${m.callerNumber} · ` : ''}
        {new Date(m.receivedAt).toLocaleString()} · {seconds(m.durationMs)} · {m.line}
      </div>
      <audio controls preload="none" src={`/api/voicemail/${seg(m.id)}/audio`} />
      <div class="actions">
        <button onClick={() => void attempt(() => api.markVoiceMail(m.id, !m.read))}>{m.read ? 'Mark unread' : 'Mark read'}</button>
        <button onClick={() => void attempt(() => api.greetingFromMessage(m.line, m.id)).then((ok) => ok && greetingChanged())}>Use as greeting</button>
        <a class="button" href={`/api/voicemail/${seg(m.id)}/audio`} download={`voicemail-${m.id}.wav`}>Download</a>
        <button class="danger" onClick={() => confirm('Delete this message?') && void attempt(() => api.deleteVoiceMail(m.id))}>Delete</button>
      </div>
    </li>
  );
}

export function VoicemailPage({ s }: { s: LiveState }) {
  const [list, setList] = useState<VoiceMailList | undefined>();
  const [greetings, setGreetings] = useState<GreetingInfo[]>([]);
  const [version, setVersion] = useState(0);
  // Reloaded at every voicemail event (a new message, a change from another screen or the CLI).
  useEffect(() => void attempt(async () => setList(await api.voicemail())), [s.voicemail, version]);
  useEffect(() => void attempt(async () => setGreetings(await api.greetings())), [version]);
  const changed = (): void => setVersion(version + 1);
  return (
    <>
      <h1>Voicemail</h1>
      {list && <p class="muted" role="status">{list.total} message{list.total === 1 ? '' : 's'}, {list.unread} new</p>}
      {list && list.refusals.length > 0 && (
        <div class="card" role="alert">
          Mailbox full — callers could not leave a message:
          <ul>{list.refusals.map((r) => <li key={`${r.line} ${r.callID}`}>{new Date(r.at).toLocaleString()}: {r.callerNumber || 'withheld'} on {r.line} ({reasons[r.reason]})</li>)}</ul>
        </div>
      )}
      <ul class="cards messages">{list?.messages.map((m) => <Message key={m.id} m={m} greetingChanged={() => setVersion(version + 1)} />)}</ul>
      <h2>Greetings</h2>
      {greetings.map((g) => <Greeting key={g.line} g={g} changed={changed} />)}
    </>
  );
}
