/** `hometel cp discover|calls|logs|callback|names`: what the Telephony Servers and Clients know. */
import { Command } from 'commander';
import type { CallLog, Peer } from '../../../telephony/contracts/index.js';
import { describeCall } from './calls.js';
import { callRecords, recordLine } from './handling.js';
import { runCp, withCpOptions, type CpOptions } from './context.js';

const peer = (p: Peer): string => (p.name ? `${p.name} <${p.id}>` : p.id);

export function cpDiscoverCommand(): Command {
  return withCpOptions(new Command('discover').description('list the Telephony Servers (lines) and Telephony Clients found')).action(async (o: CpOptions) => {
    await runCp(
      o,
      async (c) => {
        // Clients answer M-SEARCH on their own time; the timeout's last second lets late ones in.
        await new Promise((r) => setTimeout(r, Math.min(1000, c.timeoutMs)));
        const describe = (d: { udn: string; friendlyName: string; rootUdn: string }): { udn: string; friendlyName: string; root: string } => ({
          udn: d.udn,
          friendlyName: d.friendlyName,
          root: d.rootUdn,
        });
        return {
          servers: c.tcp.servers().map(describe),
          clients: c.tcp.clients().map((t) => ({ ...describe(t), mediaSessions: t.sessions().length })),
          telCPName: c.session.telCPName ?? null,
        };
      },
      (r) => [...r.servers.map((s) => `TS  ${s.friendlyName}  ${s.udn}\n`), ...r.clients.map((t) => `TC  ${t.friendlyName}  ${t.udn}\n`)].join(''),
    );
  });
}

export function callsCommand(): Command {
  return withCpOptions(new Command('calls').description('list the Telephony Server’s calls now (GetCallInfo)')).action(async (o: CpOptions) => {
    await runCp(
      o,
      async (c) => {
        await c.session.getCallInfo();
        return c.session.calls().filter((v) => !v.ended);
      },
      (calls) => (calls.length ? calls.map((v) => `${describeCall(v)}\n`).join('') : 'no calls\n'),
    );
  });
}

function logLine(l: CallLog): string {
  const dir = l.direction ? `${l.direction.padEnd(8)}` : '';
  const duration = l.durationMs !== undefined ? `  ${Math.round(l.durationMs / 1000)} s` : '';
  const ok = l.success === false ? '  failed' : '';
  return `${l.startDateTime}  ${dir}  ${l.caller.map(peer).join(', ')} → ${l.callee.map(peer).join(', ')}${duration}${ok}\n`;
}

export function logsCommand(): Command {
  return withCpOptions(
    new Command('logs')
      .description('show the call log (GetCallLogs); with --records the full record of each incoming call of a hometel line (CallHandling GetCallRecords)')
      .option('--clear', 'clear the call log afterwards (ClearCallLogs)')
      .option('--records', 'the full records: processing method, decided by, result, forward target and result, voicemail message, answered by, duration')
      .option('--search <text>', 'with --records: only records whose number, name, decider or forward target contains this'),
  ).action(async (o: CpOptions & { clear?: boolean; records?: boolean; search?: string }) => {
    if (o.records) {
      await runCp(o, (c) => callRecords(c, o.search ?? ''), (records) => (records.length ? records.map(recordLine).join('') : 'no call records\n'));
      return;
    }
    await runCp(
      o,
      async (c) => {
        const logs = await c.session.callLogs();
        if (o.clear) await c.session.clearCallLogs();
        return logs;
      },
      (logs) => (logs.length ? logs.map(logLine).join('') : 'no calls logged\n'),
    );
  });
}

export function callbackCommand(): Command {
  const cmd = new Command('callback').description('callbacks: have the Telephony Server tell you when a callee can be called (2.6.19–2.6.21)');
  cmd.addCommand(
    withCpOptions(new Command('add').description('register a callback (RegisterCallBack)').argument('<callee>')).action(async (callee: string, o: CpOptions) => {
      await runCp(o, async (c) => ({ callBackID: await c.session.registerCallBack(callee), callee }), (r) => `${r.callBackID}  ${r.callee}\n`);
    }),
  );
  cmd.addCommand(
    withCpOptions(new Command('list').description('list the callbacks (GetCallBackInfo)')).action(async (o: CpOptions) => {
      await runCp(o, (c) => c.session.callBacks(), (list) => (list.length ? list.map((b) => `${b.callBackID}  ${b.callee}\n`).join('') : 'no callbacks\n'));
    }),
  );
  cmd.addCommand(
    withCpOptions(new Command('clear').description('clear one callback, or all (ClearCallBack)').argument('[callBackID]')).action(async (id: string | undefined, o: CpOptions) => {
      await runCp(
        o,
        async (c) => {
          await c.session.clearCallBack(id ?? '');
          return { cleared: id ?? 'all' };
        },
        (r) => `cleared ${r.cleared}\n`,
      );
    }),
  );
  return cmd;
}

export function namesCommand(): Command {
  return withCpOptions(new Command('names').description('list the TelCPNames registered at the Telephony Server (GetTelCPNameList)')).action(async (o: CpOptions) => {
    await runCp(o, async (c) => ({ names: [...c.session.telCPNames()], mine: c.session.telCPName ?? null }), (r) => r.names.map((n) => `${n}${n === r.mine ? '  (this control point)' : ''}\n`).join(''));
  });
}
