// Devices: the phones the hub provisions (issue 15). Pending ones first, with what they said about themselves (MAC,
// vendor, model, where they were first seen) and a form that enrolls one to an extension; then the enrolled ones with
// their extensions, last fetch and last notification, a preview of each file they fetch (secrets masked by the hub),
// Resync (check-sync), the secret on request, a new secret, Remove. The list refreshes itself every few seconds: a
// phone that asks for its file shows up without a reload.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, type Device, type DeviceSecret, type Extension, type FilePreviews } from '../api.js';
import { attempt, live, useAction } from '../live.js';

const refreshMs = 4000;

/** 00:15:65:a1:b2:c3, as people read a MAC (the API names devices by its 12 hex digits). */
const macText = (mac: string): string => mac.match(/../g)!.join(':');
const time = (ms: number): string => new Date(ms).toLocaleString();
const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;
const identity = (d: Device): string => [d.vendor ?? 'unknown vendor', d.model, d.firmware && `firmware ${d.firmware}`].filter(Boolean).join(' ');
const extensionText = (e: Extension): string => `${e.number}${e.displayName ? ` ${e.displayName}` : ''}`;

function ExtensionChoice({ extensions, value, set, optional = false }: { extensions: Extension[]; value: string; set: (v: string) => void; optional?: boolean }) {
  return (
    <label>Extension
      <select name="extension" value={value} onChange={(e) => set(e.currentTarget.value)}>
        <option value="">{optional ? 'none (pending)' : 'choose…'}</option>
        {extensions.map((e) => <option key={e.number} value={e.number}>{extensionText(e)}</option>)}
      </select>
    </label>
  );
}

function EnrollForm({ d, extensions, changed }: { d: Device; extensions: Extension[]; changed: () => void }) {
  const [number, setNumber] = useState('');
  const { busy, run } = useAction();
  const enroll = async (): Promise<void> => {
    if (await run(() => api.changeDevice(d.mac, { extensions: [number] }))) {
      live.notice(`${macText(d.mac)} is enrolled to extension ${number}: it gets its account with its next fetch.`);
      changed();
    }
  };
  if (extensions.length === 0) return <p class="muted">Add an extension on the Phones page to enroll it to.</p>;
  return (
    <form class="inline" aria-label={`Enroll ${macText(d.mac)}`} onSubmit={(e) => { e.preventDefault(); void enroll(); }}>
      <ExtensionChoice extensions={extensions} value={number} set={setNumber} />
      <button class="primary" disabled={busy || number === ''}>Enroll</button>
    </form>
  );
}

function NewDevice({ extensions, done, cancel }: { extensions: Extension[]; done: () => void; cancel: () => void }) {
  const [mac, setMac] = useState('');
  const [vendor, setVendor] = useState('');
  const [model, setModel] = useState('');
  const [number, setNumber] = useState('');
  const { busy, run } = useAction();
  const add = async (): Promise<void> => {
    const draft = { mac: mac.trim(), ...(vendor ? { vendor } : {}), ...(model.trim() ? { model: model.trim() } : {}), ...(number ? { extensions: [number] } : {}) };
    if (await run(() => api.addDevice(draft))) done();
  };
  return (
    <form class="card editor" aria-label="New device" onSubmit={(e) => { e.preventDefault(); void add(); }}>
      <h2>New device</h2>
      <p class="muted">A phone not seen yet, by the MAC address on its label.</p>
      <div class="inline">
        <label>MAC address <input name="mac" value={mac} placeholder="00:15:65:a1:b2:c3" maxLength={40} autoFocus onInput={(e) => setMac(e.currentTarget.value)} /></label>
        <label>Vendor
          <select name="vendor" value={vendor} onChange={(e) => setVendor(e.currentTarget.value)}>
            <option value="">unknown</option>
            {['yealink', 'snom', 'grandstream', 'polycom', 'generic'].map((v) => <option key={v} value={v}>{v}</option>)}
          </select>
        </label>
        <label>Model <input name="model" value={model} placeholder="T46S" maxLength={100} onInput={(e) => setModel(e.currentTarget.value)} /></label>
        <ExtensionChoice extensions={extensions} value={number} set={setNumber} optional />
      </div>
      <div class="actions">
        <button class="primary" disabled={busy || mac.trim() === ''}>Add device</button>
        <button type="button" onClick={cancel}>Cancel</button>
      </div>
    </form>
  );
}

/** The files the device fetches as the hub renders them now, secrets masked; loaded when asked for. */
function Previews({ mac }: { mac: string }) {
  const [files, setFiles] = useState<FilePreviews['files'] | undefined>();
  const [none, setNone] = useState<string | undefined>();
  useEffect(() => {
    void attempt(async () => {
      try {
        setFiles((await api.deviceFiles(mac)).files);
      } catch (e) {
        if (e instanceof ApiError && e.code === 'provisioning.no-previews') return setNone(e.message);
        throw e;
      }
    });
  }, [mac]);
  if (none !== undefined) return <p class="muted">No preview: {none}.</p>;
  if (!files) return <p class="muted">Rendering…</p>;
  return (
    <div class="previews">
      {files.length === 0 && <p class="muted">No files.</p>}
      {files.map((f) => (
        <details key={f.name} class="preview" open>
          <summary><code>{f.name}</code> <span class="muted">{f.contentType}</span></summary>
          <pre aria-label={`Preview of ${f.name}`}>{f.body}</pre>
        </details>
      ))}
    </div>
  );
}

function SecretPanel({ s, hide }: { s: DeviceSecret; hide: () => void }) {
  return (
    <div class="secret" role="region" aria-label={`Secret of ${macText(s.mac)}`}>
      <p class="muted">Point the phone at its own URL, or at the provisioning URL with these HTTP Digest credentials.</p>
      <div>URL <code class="token">{s.http}</code></div>
      {s.tftp && <div>TFTP <code class="token">{s.tftp}</code></div>}
      <div>Digest user <code class="token">{s.digest.user}</code> password <code class="token">{s.digest.password}</code></div>
      <button onClick={hide}>Hide the secret</button>
    </div>
  );
}

function DeviceCard({ d, extensions, changed }: { d: Device; extensions: Extension[]; changed: () => void }) {
  const [previews, setPreviews] = useState(false);
  const [secret, setSecret] = useState<DeviceSecret | undefined>();
  const act = (f: () => Promise<unknown>, said?: string): void =>
    void attempt(f).then((ok) => {
      if (!ok) return;
      if (said) live.notice(said);
      changed();
    });
  const remove = (): void => {
    if (confirm(`Remove device ${macText(d.mac)}? It is listed as pending again when it asks for its configuration.`)) act(() => api.removeDevice(d.mac));
  };
  const rotate = (): void => {
    if (confirm(`Give ${macText(d.mac)} a new secret? Its present URL and Digest password stop working: set the new ones in the phone.`)) {
      setSecret(undefined);
      act(() => api.rotateDeviceSecret(d.mac), `${macText(d.mac)} has a new secret.`);
    }
  };
  const named = (n: string): string => {
    const e = extensions.find((x) => x.number === n);
    return e ? extensionText(e) : n;
  };
  const f = d.lastFetch;
  const n = d.lastNotification;
  return (
    <li class={`card device ${d.state}`} data-mac={d.mac}>
      <div class="row">
        <strong>{macText(d.mac)}</strong>
        <span class={d.state === 'pending' ? 'tag bad' : 'tag'}>{d.state}</span>
      </div>
      <div>{identity(d)}</div>
      {d.state === 'pending' ? (
        <>
          <div class="muted">first seen {time(d.firstSeen)} via {d.firstSeenFrom}</div>
          <EnrollForm d={d} extensions={extensions} changed={changed} />
        </>
      ) : (
        <>
          <div class="extensions-of">extensions {d.extensions.map(named).join(', ')}</div>
          <div class="muted">template {d.template ?? d.vendor ?? 'generic'}</div>
          <div class="last-fetch">last fetch: {f ? `${time(f.at)} ${f.protocol} ${f.file} from ${f.address} (${f.outcome})` : 'never'}</div>
          <div class="last-notification">last notification: {n ? `${time(n.at)} ${n.kind} to ${n.target}: ${n.answer}` : 'none'}</div>
          {d.resyncRequestedAt !== undefined && <div class="tag resync">resync asked for {time(d.resyncRequestedAt)}, not sent yet</div>}
        </>
      )}
      <div class="actions">
        {d.state === 'enrolled' && <button onClick={() => act(() => api.resyncDevice(d.mac), `Resync of ${macText(d.mac)} asked for: the hub sends it check-sync.`)}>Resync</button>}
        <button aria-expanded={previews} onClick={() => setPreviews(!previews)}>{previews ? 'Hide files' : 'Files'}</button>
        {d.state === 'enrolled' && !secret && <button onClick={() => void attempt(async () => setSecret(await api.deviceSecret(d.mac)))}>Show secret</button>}
        {d.state === 'enrolled' && <button onClick={rotate}>New secret</button>}
        <button class="danger" aria-label={`Remove device ${macText(d.mac)}`} onClick={remove}>Remove</button>
      </div>
      {secret && <SecretPanel s={secret} hide={() => setSecret(undefined)} />}
      {previews && <Previews key={`${d.mac} ${d.state} ${d.extensions.join()} ${d.template ?? ''} ${d.secretGeneration}`} mac={d.mac} />}
    </li>
  );
}

export function DevicesPage() {
  const [devices, setDevices] = useState<Device[] | undefined>();
  const [extensions, setExtensions] = useState<Extension[]>([]);
  const [off, setOff] = useState(false);
  const [adding, setAdding] = useState(false);
  const [version, setVersion] = useState(0);
  const load = async (): Promise<void> => {
    try {
      const [list, phones] = await Promise.all([api.devices(), api.phones()]);
      setDevices(list.devices);
      setExtensions(phones.extensions);
    } catch (e) {
      // No provisioning routes: the config has no "provisioning" section.
      if (e instanceof ApiError && e.status === 404) return setOff(true);
      throw e;
    }
  };
  useEffect(() => void attempt(load), [version]);
  // A phone that asks for its file, a resync sent, a change made with the CLI: seen within a few seconds.
  useEffect(() => {
    const timer = setInterval(() => void load().catch(() => undefined), refreshMs);
    return () => clearInterval(timer);
  }, []);
  const reload = (): void => setVersion(version + 1);
  if (off) {
    return (
      <>
        <h1>Devices</h1>
        <p class="card" role="status">hometel does not provision phones: add <code>"provisioning": {'{}'}</code> (and <code>"phones"</code>) to the config file and restart it.</p>
      </>
    );
  }
  const pending = devices?.filter((d) => d.state === 'pending') ?? [];
  const enrolled = devices?.filter((d) => d.state === 'enrolled') ?? [];
  return (
    <>
      <h1>Devices</h1>
      <p class="muted">Phones that fetch their configuration from this hub (plug and play, HTTP or TFTP). A new one waits here, pending, until it is enrolled to an extension; its file then carries that extension's account.</p>
      <div class="inline toolbar">
        <button class="primary" onClick={() => setAdding(true)}>New device</button>
        <button onClick={reload}>Refresh</button>
        {devices && <span class="muted" role="status">{plural(devices.length, 'device')}, {pending.length} pending</span>}
      </div>
      {adding && <NewDevice extensions={extensions} done={() => { setAdding(false); reload(); }} cancel={() => setAdding(false)} />}
      <h2>Pending</h2>
      {devices && pending.length === 0 && <p class="muted">No phone is waiting.</p>}
      <ul class="cards provisioned pending">
        {pending.map((d) => <DeviceCard key={d.mac} d={d} extensions={extensions} changed={reload} />)}
      </ul>
      <h2>Enrolled</h2>
      {devices && enrolled.length === 0 && <p class="muted">No phone is enrolled yet.</p>}
      <ul class="cards provisioned enrolled">
        {enrolled.map((d) => <DeviceCard key={d.mac} d={d} extensions={extensions} changed={reload} />)}
      </ul>
    </>
  );
}
