/**
 * `hometel voicemail …`: the home's voicemail from the shell — list the messages, download one as WAV, mark it read
 * or unread, delete it (on the store, next to a running hometel, which notices within a second and events it), and
 * play one on a Telephony Client (PlayVoiceMail on the running hometel's VoiceMail service). Every command has --json.
 */
import { copyFileSync } from 'node:fs';
import { Command } from 'commander';
import { openVoiceMail, voiceMailServiceType, type OpenVoiceMail } from '../../app/index.js';
import { errorMessage } from '../../base/index.js';
import { allDevices, UpnpError, type RemoteService } from '../../upnp/index.js';
import { startControlPoint, timeoutMs, withControlPointOptions, type ControlPointCliOptions } from './control-point-options.js';
import { onStore, withStoreOptions, type StoreOptions } from './store-command.js';

const withVoiceMail = (opts: StoreOptions, f: (v: OpenVoiceMail) => unknown): Promise<void> => onStore('voicemail', opts, openVoiceMail, f);

/** A message without its file name (a detail of the store's directory). */
const shown = <T extends { file: string }>({ file: _file, ...m }: T): Omit<T, 'file'> => m;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
/** The VoiceMail service's "No such message": another line's service may have it. */
const noSuchMessage = 701;

export function voicemailCommand(): Command {
  const vm = new Command('voicemail').description("the home's voicemail: list, download, play on a Telephony Client, mark read/unread, delete");
  vm.addCommand(
    withStoreOptions(new Command('list'))
      .description('the messages, newest first')
      .action((opts: StoreOptions) =>
        withVoiceMail(opts, ({ voicemail }) => {
          const { messages, unread, total, refusals } = voicemail.info();
          if (opts.json) return { messages: messages.map(shown), unread, total, refusals };
          const lines = messages.map((m) => `${m.id}  ${m.read ? '    ' : 'NEW '} ${new Date(m.receivedAt).toISOString()}  ${m.line}  ${m.callerNumber || '(withheld)'}${m.callerName ? ` (${m.callerName})` : ''}  ${seconds(m.durationMs)}`);
          return [...lines, `${total} message${total === 1 ? '' : 's'}, ${unread} new`].join('\n');
        }),
      ),
  );
  vm.addCommand(
    withStoreOptions(new Command('download'))
      .description('write a message as a WAV file')
      .argument('<id>', 'the message id (from `hometel voicemail list`)')
      .argument('<file>', 'where to write it')
      .action((id: string, file: string, opts: StoreOptions) =>
        withVoiceMail(opts, ({ voicemail }) => {
          const m = voicemail.get(id);
          copyFileSync(voicemail.audioPath(id), file);
          return opts.json ? { id, file, bytes: m.bytes, durationMs: m.durationMs } : `wrote ${file} (${seconds(m.durationMs)})`;
        }),
      ),
  );
  vm.addCommand(
    withStoreOptions(new Command('mark'))
      .description('mark a message read or unread, for the whole home')
      .argument('<id>', 'the message id')
      .argument('<state>', 'read or unread')
      .action((id: string, state: string, opts: StoreOptions) =>
        withVoiceMail(opts, ({ voicemail }) => {
          if (state !== 'read' && state !== 'unread') throw new Error(`state must be read or unread, not ${JSON.stringify(state)}`);
          const m = voicemail.markRead(id, state === 'read');
          return opts.json ? shown(m) : `${id} is ${state}`;
        }),
      ),
  );
  vm.addCommand(
    withStoreOptions(new Command('delete'))
      .description('delete a message and its recording')
      .argument('<id>', 'the message id')
      .action((id: string, opts: StoreOptions) =>
        withVoiceMail(opts, ({ voicemail }) => {
          voicemail.delete(id);
          return opts.json ? { deleted: id } : `deleted ${id}`;
        }),
      ),
  );
  vm.addCommand(
    withControlPointOptions(new Command('play'))
      .description('play a message on a Telephony Client, through the running hometel (UPnP PlayVoiceMail)')
      .argument('<id>', 'the message id')
      .requiredOption('--tc <name>', "the Telephony Client: its UDN, its friendly name, or the name of one of hometel's own clients")
      .action(async (id: string, opts: ControlPointCliOptions & { tc: string }) => {
        const cp = await startControlPoint(opts, voiceMailServiceType);
        try {
          await cp.waitForDevice((d) => services(d).length > 0, timeoutMs(opts)).catch(() => {
            throw new Error(`no hometel VoiceMail service answered within ${opts.timeout} s (is hometel start running on --interface ${opts.interface}?)`);
          });
          // The message's line is one of the Telephony Servers: the others answer 701.
          let last: unknown;
          for (const service of cp.devices.flatMap(services)) {
            try {
              await service.invoke('PlayVoiceMail', { MessageID: id, TCUDN: opts.tc });
              process.stdout.write(opts.json ? `${JSON.stringify({ played: id, tc: opts.tc })}\n` : `playing ${id} on ${opts.tc}\n`);
              return;
            } catch (e) {
              last = e;
              if (!(e instanceof UpnpError && e.errorCode === noSuchMessage)) break;
            }
          }
          throw last instanceof Error ? last : new Error(`no voicemail message ${JSON.stringify(id)}`);
        } catch (e) {
          process.exitCode = 1;
          const message = e instanceof UpnpError ? `${e.errorCode} ${e.errorDescription}${e.errorCode === noSuchMessage ? `: ${id}` : ''}` : errorMessage(e);
          if (opts.json) process.stdout.write(`${JSON.stringify({ error: { message } })}\n`);
          else process.stderr.write(`hometel voicemail play: ${message}\n`);
        } finally {
          await cp.stop();
        }
      }),
  );
  return vm;
}

function services(root: Parameters<typeof allDevices>[0]): RemoteService[] {
  return allDevices(root).flatMap((d) => d.services.filter((s) => s.serviceType === voiceMailServiceType));
}
