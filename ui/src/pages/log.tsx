// Call log: every line's log, newest first, searchable by number or name, with duration, outcome and direction; and
// (issue 13) the full record of each incoming call: processing method, who decided, result, forward target, answered by.
import { useEffect, useState } from 'preact/hooks';
import { api, errorText, type CallRecordPage, type LogEntry } from '../api.js';
import { lineName, type LiveState } from '../live.js';

function duration(ms: number | undefined): string {
  if (ms === undefined) return '';
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function LogPage({ s }: { s: LiveState }) {
  const [q, setQ] = useState('');
  const [entries, setEntries] = useState<LogEntry[] | undefined>();
  const [records, setRecords] = useState<CallRecordPage | undefined>();
  const [error, setError] = useState('');
  const calls = s.calls.size;
  useEffect(() => {
    const t = setTimeout(() => {
      void api.log(q).then(setEntries, (e: unknown) => setError(errorText(e)));
      void api.callRecords(q).then(setRecords, (e: unknown) => setError(errorText(e)));
    }, 200);
    return () => clearTimeout(t);
  }, [q, calls]);
  return (
    <>
      <h1>Call log</h1>
      <label>Search <input type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} placeholder="number or name" /></label>
      {error && <p role="alert" class="bad">{error}</p>}
      {entries && entries.length === 0 && <p class="muted">No calls logged.</p>}
      {entries && entries.length > 0 && (
        <table class="log">
          <thead><tr><th>When</th><th>Direction</th><th>Who</th><th>Outcome</th><th>Duration</th><th>Line</th></tr></thead>
          <tbody>
            {entries.map((e, i) => {
              const other = e.direction === 'incoming' ? { id: e.caller, name: e.callerName } : { id: e.callee, name: e.calleeName };
              return (
                <tr key={i} class={`o-${e.outcome}`}>
                  <td>{new Date(e.start).toLocaleString()}</td>
                  <td>{e.direction ?? ''}</td>
                  <td>
                    {other.name ? `${other.name} (${other.id})` : other.id}
                    {other.name && e.nameSource === 'caller-id' && <span class="tag" title="the name the caller's network sent"> caller ID</span>}
                  </td>
                  <td>{e.outcome}</td>
                  <td>{duration(e.durationMs)}</td>
                  <td>{lineName(s.home, e.line)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <h2>Incoming calls handled</h2>
      {records && records.records.length === 0 && <p class="muted">No incoming calls recorded.</p>}
      {records && records.records.length > 0 && (
        <table class="records">
          <thead><tr><th>When</th><th>Who</th><th>Handled</th><th>Decided by</th><th>Result</th><th>Forwarded to</th><th>Answered by</th><th>Duration</th></tr></thead>
          <tbody>
            {records.records.map((r) => (
              <tr key={`${r.line} ${r.callID}`} class={`o-${r.result ?? 'open'}`}>
                <td>{new Date(r.at).toLocaleString()}</td>
                <td>{r.name ? `${r.name} (${r.number ?? 'withheld'})` : r.number ?? 'withheld'}</td>
                <td>{r.method}</td>
                <td>{r.decidedBy ?? ''}</td>
                <td>{r.result ?? ''}</td>
                <td>{r.forwardTarget ? `${r.forwardTarget}${r.forwardResult ? ` (${r.forwardResult})` : ''}` : ''}</td>
                <td>{r.answeredBy ?? ''}</td>
                <td>{r.durationSec !== undefined ? duration(r.durationSec * 1000) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
