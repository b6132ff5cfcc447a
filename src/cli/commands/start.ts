import { Command, Option } from 'commander';
import { loadConfig, startHometel, type HometelConfig } from '../../app/index.js';
import { createLogger, type LogLevel } from '../../base/index.js';

interface StartOptions {
  config?: string;
  interface?: string[];
  dataDir?: string;
  logLevel?: LogLevel;
}

export function startCommand(): Command {
  return new Command('start')
    .description('run hometel: the home devices on the chosen interfaces, until SIGINT or SIGTERM')
    .option('-c, --config <file>', 'JSON config file (see README)')
    .option('-i, --interface <name...>', 'interface names or IPv4 addresses to serve on (default: lo)')
    .option('-d, --data-dir <dir>', 'where the store lives (default: ./data)')
    .addOption(new Option('--log-level <level>', 'log detail').choices(['debug', 'info', 'warn', 'error']))
    .action(async (opts: StartOptions) => {
      const file = loadConfig(opts.config);
      const config: HometelConfig = {
        ...file,
        ...(opts.interface ? { interfaces: opts.interface } : {}),
        ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
        ...(opts.logLevel ? { logLevel: opts.logLevel } : {}),
      };
      const logger = createLogger({ level: config.logLevel, component: 'hometel' });
      const running = await startHometel(config, logger);
      logger.info('hometel running', { udn: running.udn, location: running.locations.join(' '), echo: running.echo, web: running.web?.url });
      // On stdout, for the person who started it (the setup link is a secret: it is never logged).
      if (running.web) {
        process.stdout.write(`hometel web application: ${running.web.url}\n`);
        if (running.web.setupLink) process.stdout.write(`First start: open ${running.web.setupLink} to set the admin password (the link works once).\n`);
      }
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        logger.info('stopping', { signal });
        void running.stop().then(() => {
          logger.info('stopped');
          process.exit(0);
        });
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    });
}
