/**
 * Names from the home's address book on what the screens show (issue 12, "caller names everywhere"): a live Call's
 * Remote Party and a call log entry get the contact's name when the number matches, whatever Telephony Server the
 * call is on; otherwise the name the network sent stays, marked as caller ID. VIP and blocked come along for the
 * popup.
 */
import type { ContactsService } from '../contacts/index.js';
import type { LiveCall, LogEntry } from '../console/index.js';

export class CallerNames {
  constructor(private readonly contacts: ContactsService | undefined) {}

  call(c: LiveCall): LiveCall {
    if (!c.remote) return c;
    const match = this.contacts?.lookup(c.remote.id);
    if (match) {
      const { contact } = match;
      return { ...c, remote: { ...c.remote, name: contact.name, nameSource: 'contact', ...(contact.vip ? { vip: true } : {}), ...(contact.blocked ? { blocked: true } : {}) } };
    }
    return c.remote.name !== undefined ? { ...c, remote: { ...c.remote, nameSource: 'caller-id' } } : c;
  }

  logEntry(e: LogEntry): LogEntry {
    const incoming = e.direction === 'incoming';
    const other = incoming ? e.caller : e.callee;
    const match = this.contacts?.lookup(other);
    if (match) return { ...e, ...(incoming ? { callerName: match.contact.name } : { calleeName: match.contact.name }), nameSource: 'contact' };
    const name = incoming ? e.callerName : e.calleeName;
    return name !== undefined ? { ...e, nameSource: 'caller-id' } : e;
  }
}
