import { Command } from 'commander';

import { loadConfig, loadDotEnv } from '../config/config.js';
import { createLogger } from '../logger.js';
import { startServer, stopOnSignals } from '../server.js';
import type { Output } from './main.js';

export function serveCommand(output: Output): Command {
  return new Command('serve')
    .description('run the server (PORT, HOST, DATABASE_URL, DATA_DIR, ENVIRONMENT, LOG_LEVEL)')
    .action(async () => {
      loadDotEnv();
      const config = loadConfig();
      const logger = createLogger(config.logLevel, { dir: config.logDir });
      const server = await startServer(config, logger, output.err);
      stopOnSignals(server, logger);
    });
}
