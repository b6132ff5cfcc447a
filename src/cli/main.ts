#!/usr/bin/env node
/** The `hometel` command line. Each subcommand lives in commands/ and has its own --help. */
import { Command } from 'commander';
import { cpCommand } from './commands/cp/index.js';
import { discoverCommand } from './commands/discover.js';
import { invokeCommand } from './commands/invoke.js';
import { startCommand } from './commands/start.js';
import { webCommand } from './commands/web.js';
import { contactsCommand } from './commands/contacts.js';
import { dndCommand, forwardCommand, rulesCommand } from './commands/rules.js';
import { voicemailCommand } from './commands/voicemail.js';
import { phonesCommand } from './commands/phones.js';
import { provisionCommand } from './commands/provision.js';
import { errorMessage } from '../base/index.js';

const program = new Command('hometel')
  .description('hometel: the home telephony hub (UPnP Telephony inside the home, SIP and RTP outside)')
  .version('0.1.0')
  .showHelpAfterError();

program.addCommand(startCommand());
program.addCommand(discoverCommand());
program.addCommand(invokeCommand());
program.addCommand(cpCommand());
program.addCommand(webCommand());
program.addCommand(contactsCommand());
program.addCommand(rulesCommand());
program.addCommand(dndCommand());
program.addCommand(forwardCommand());
program.addCommand(voicemailCommand());
program.addCommand(phonesCommand());
program.addCommand(provisionCommand());

try {
  await program.parseAsync(process.argv);
} catch (e) {
  process.stderr.write(`hometel: ${errorMessage(e)}\n`);
  process.exit(1);
}
