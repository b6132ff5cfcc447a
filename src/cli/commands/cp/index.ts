/** `hometel cp`: a Telephony Control Point on the command line, over the TelCP library (src/telephony/control). */
import { Command } from 'commander';
import { answerCommand, callCommand, hangupCommand, modifyCommand, rejectCommand, watchCommand } from './calls.js';
import { forwardCommand, ignoreCommand, voicemailCommand } from './handling.js';
import { callbackCommand, callsCommand, cpDiscoverCommand, logsCommand, namesCommand } from './info.js';

export function cpCommand(): Command {
  const cp = new Command('cp').description('act as a Telephony Control Point: place, answer and manage calls, watch them, read call logs');
  for (const c of [cpDiscoverCommand(), callCommand(), answerCommand(), rejectCommand(), hangupCommand(), modifyCommand(), watchCommand(), forwardCommand(), voicemailCommand(), ignoreCommand(), callsCommand(), logsCommand(), callbackCommand(), namesCommand()]) {
    cp.addCommand(c);
  }
  return cp;
}
