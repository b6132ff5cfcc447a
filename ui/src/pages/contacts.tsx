// Contacts: the home's address book — search as you type, add and edit, VIP and blocked, import a file from a phone
// (vCard), a FRITZ!Box (phonebook XML) or a spreadsheet (CSV), and export everything as vCard.
import { useEffect, useState } from 'preact/hooks';
import { api, type Contact, type ContactDraft, type ImportFormat, type ImportReport } from '../api.js';
import { attempt, live, useAction } from '../live.js';

const labels = ['mobile', 'home', 'work', 'fax', 'other'] as const;
/** The largest file the hub imports (src/app/contacts.ts). */
const maxImportBytes = 20 * 1024 * 1024;
type Address = ContactDraft['addresses'][number];
const empty: ContactDraft = { name: '', addresses: [{ value: '', label: 'mobile' }], groups: [] };

function Editor({ contact, done }: { contact?: Contact; done: () => void }) {
  const [d, setD] = useState<ContactDraft>(contact ?? empty);
  const [groups, setGroups] = useState((contact?.groups ?? []).join(', '));
  const { busy, run } = useAction();
  const set = (patch: Partial<ContactDraft>): void => setD({ ...d, ...patch });
  const setAddress = (i: number, a: Partial<Address>): void => set({ addresses: d.addresses.map((x, j) => (j === i ? { ...x, ...a } : x)) });
  const save = async (): Promise<void> => {
    const draft: ContactDraft = {
      ...d,
      addresses: d.addresses.filter((a) => a.value.trim() !== ''),
      groups: groups.split(',').map((g) => g.trim()).filter((g) => g !== ''),
    };
    if (await run(() => (contact ? api.updateContact(contact.id, draft) : api.addContact(draft)))) done();
  };
  return (
    <form class="card editor" onSubmit={(e) => { e.preventDefault(); void save(); }}>
      <h2>{contact ? `Edit ${contact.name}` : 'New contact'}</h2>
      <label>Name <input name="name" value={d.name} maxLength={200} autoFocus onInput={(e) => set({ name: e.currentTarget.value })} /></label>
      <fieldset>
        <legend>Numbers and SIP addresses</legend>
        {d.addresses.map((a, i) => (
          <div class="row address" key={i}>
            <input aria-label="Number or SIP address" value={a.value} inputMode="tel" onInput={(e) => setAddress(i, { value: e.currentTarget.value })} />
            <select aria-label="Label" value={a.label} onChange={(e) => setAddress(i, { label: e.currentTarget.value as Address['label'] })}>
              {labels.map((l) => <option key={l} value={l}>{l}</option>)}
            </select>
            <button type="button" aria-label="Remove this number" onClick={() => set({ addresses: d.addresses.filter((_, j) => j !== i) })}>✕</button>
          </div>
        ))}
        <button type="button" onClick={() => set({ addresses: [...d.addresses, { value: '', label: 'mobile' }] })}>Add a number</button>
      </fieldset>
      <label>Groups (comma separated) <input value={groups} onInput={(e) => setGroups(e.currentTarget.value)} /></label>
      <label>Note <textarea value={d.note ?? ''} maxLength={4000} onInput={(e) => set({ note: e.currentTarget.value })} /></label>
      <label class="check"><input type="checkbox" checked={d.vip ?? false} onChange={(e) => set({ vip: e.currentTarget.checked })} /> VIP</label>
      <label class="check"><input type="checkbox" checked={d.blocked ?? false} onChange={(e) => set({ blocked: e.currentTarget.checked })} /> Blocked</label>
      <div class="actions">
        <button class="primary" disabled={busy || d.name.trim() === ''}>Save</button>
        <button type="button" onClick={done}>Cancel</button>
        {contact && <button type="button" class="danger" onClick={() => void attempt(() => api.removeContact(contact.id)).then((ok) => ok && done())}>Delete</button>}
      </div>
    </form>
  );
}

function Importer({ done }: { done: () => void }) {
  const [format, setFormat] = useState<ImportFormat>('vcard');
  const [file, setFile] = useState<File | undefined>();
  const [report, setReport] = useState<ImportReport | undefined>();
  const { busy, run } = useAction();
  const go = async (): Promise<void> => {
    if (!file) return;
    // The hub refuses larger files (413) before reading them; say so before sending megabytes for nothing.
    if (file.size > maxImportBytes) return live.notice(`${file.name} is larger than ${maxImportBytes / 1024 / 1024} MiB: split it, or import it with hometel contacts import`);
    await run(async () => {
      setReport(await api.importContacts(format, file));
      done();
    });
  };
  return (
    <form class="inline" onSubmit={(e) => { e.preventDefault(); void go(); }}>
      <label>Import a file <input type="file" name="file" accept=".vcf,.vcard,.xml,.csv,text/vcard,text/csv,application/xml" onChange={(e) => setFile(e.currentTarget.files?.[0])} /></label>
      <label>Format
        <select name="format" value={format} onChange={(e) => setFormat(e.currentTarget.value as ImportFormat)}>
          <option value="vcard">vCard (phones)</option>
          <option value="fritzbox">FRITZ!Box phonebook</option>
          <option value="csv">CSV with a header row</option>
        </select>
      </label>
      <button disabled={busy || !file}>Import</button>
      {report && (
        <div role="status" class="report">
          Imported {report.added} new, merged {report.merged}.
          {report.problems.length > 0 && (
            <>
              {' '}{report.problems.length} could not be read:
              <ul>{report.problems.map((p, i) => <li key={i}>{p.at}: {p.reason}</li>)}</ul>
            </>
          )}
        </div>
      )}
    </form>
  );
}

export function ContactsPage() {
  const [q, setQ] = useState('');
  const [list, setList] = useState<{ contacts: Contact[]; total: number } | undefined>();
  const [editing, setEditing] = useState<Contact | 'new' | undefined>();
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const t = setTimeout(() => void attempt(async () => setList(await api.contacts(q))), 150);
    return () => clearTimeout(t);
  }, [q, version]);
  const reload = (): void => {
    setEditing(undefined);
    setVersion(version + 1);
  };
  return (
    <>
      <h1>Contacts</h1>
      <div class="inline toolbar">
        <label>Search <input type="search" name="q" value={q} placeholder="name or number" onInput={(e) => setQ(e.currentTarget.value)} /></label>
        <button class="primary" onClick={() => setEditing('new')}>New contact</button>
        <a class="button" href="/api/contacts/export.vcf" download>Export (vCard)</a>
      </div>
      <Importer done={reload} />
      {editing && <Editor contact={editing === 'new' ? undefined : editing} done={reload} />}
      {list && <p class="muted">{list.total} contact{list.total === 1 ? '' : 's'}{q ? ` matching “${q}”` : ''}</p>}
      <ul class="cards contacts">
        {list?.contacts.map((c) => (
          <li key={c.id} class="card contact">
            <div class="row">
              <strong>{c.name}</strong>
              <span>{c.vip && <span class="tag vip">VIP</span>} {c.blocked && <span class="tag bad">blocked</span>}</span>
            </div>
            <ul class="plain">{c.addresses.map((a, i) => <li key={i}><span class="muted">{a.label}</span> {a.value}</li>)}</ul>
            {(c.groups ?? []).length > 0 && <div class="muted">{(c.groups ?? []).join(', ')}</div>}
            <button onClick={() => setEditing(c)}>Edit</button>
          </li>
        ))}
      </ul>
    </>
  );
}
