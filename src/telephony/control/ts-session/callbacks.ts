/**
 * Callbacks (2.4.4, 2.6.19-2.6.21): registered at the TS, listed, cleared, and CallBackAvailability turned into
 * the callees that can be called now.
 */
import { CallManagementAction, callManagementContract, parseCallBackAvailability, parseCallBackInfoList } from '../../contracts/index.js';
import { answeredAs, withAliases } from '../contract-calls.js';
import type { TelephonyServer } from '../devices.js';
import { TelephonyError } from '../errors.js';
import type { Emit } from './types.js';

export class CallBacks {
  /** The callee of each callback, by CallBackID. */
  private readonly callees = new Map<string, string>();

  constructor(
    private readonly server: TelephonyServer,
    private readonly emit: Emit,
  ) {}

  /** RegisterCallBack (2.6.19): the TS watches the callee; 'callback-available' says when it can be called. */
  async register(callee: string): Promise<string> {
    const out = await this.server.invoke(CallManagementAction.RegisterCallBack, { CalleeID: callee });
    const id = out.CallBackID ?? '';
    this.callees.set(id, callee);
    return id;
  }

  /** GetCallBackInfo (2.6.21): the callbacks registered at the TS. */
  async list(): Promise<Array<{ callBackID: string; callee: string }>> {
    const out = await this.server.invoke(CallManagementAction.GetCallBackInfo, {});
    // Third-party SCPDs spell the out-argument CallBackInfo (see the contract); the TS answers in its SCPD's spelling.
    const parsed = parseCallBackInfoList(answeredAs(out, 'CallbackInfo', 'CallBackInfo') ?? '');
    if (!parsed.ok) throw new TelephonyError({ kind: 'transport', device: 'TS', action: CallManagementAction.GetCallBackInfo, sentence: `unreadable callbacks: ${parsed.reason}` });
    const list = parsed.value.map((c) => ({ callBackID: c.callBackID, callee: c.callee[0].id }));
    for (const c of list) this.callees.set(c.callBackID, c.callee);
    return list;
  }

  /** ClearCallBack (2.6.20): one callback, or every one when no ID is given. */
  async clear(callBackID = ''): Promise<void> {
    // The spec spells the argument two ways (notes S4): both go, and the TS's SCPD decides which one goes out.
    await this.server.invoke(CallManagementAction.ClearCallBack, withAliases(callManagementContract, CallManagementAction.ClearCallBack, { CallbackID: callBackID }));
    if (callBackID === '') this.callees.clear();
    else this.callees.delete(callBackID);
  }

  /** A CallBackAvailability event: its callees (GetCallBackInfo for callbacks we did not register). */
  async available(text: string): Promise<void> {
    const parsed = parseCallBackAvailability(text);
    if (!parsed.ok) return;
    const ids = [...parsed.value.callBackIDs];
    if (ids.some((id) => !this.callees.has(id))) await this.list().catch(() => undefined);
    const callees = [...new Set(ids.flatMap((id) => (this.callees.has(id) ? [this.callees.get(id)!] : [])))];
    this.emit('callback-available', { callBackIDs: ids, callees });
  }
}
