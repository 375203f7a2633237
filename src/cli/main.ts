#!/usr/bin/env node
import cluster from 'node:cluster';
import { Command } from 'commander';
import { type Config, ConfigError, configTableMarkdown, loadConfig } from '../config/index.js';
import { DEMO_LOGINS } from '../control/seed-demo.js';
import { createLogger } from '../lib/logger.js';
import { openPlatformDatabase, type Platform, startPlatform } from '../platform/platform.js';
import { printsBanner, superviseProcesses } from '../platform/processes.js';
import { sandboxPortLines } from '../platform/sandbox-mode.js';
import { type CallOptions, runCallCommand } from './call-command.js';
import { registerKpisCommand } from './kpis-command.js';
import { registerRetentionCommand } from './retention-command.js';
import { registerSeedCommand } from './seed-calls-command.js';
import { registerTestCommand } from './test-command.js';

const out = (line = '') => process.stdout.write(`${line}\n`);

/** Runs a command body; expected failures print one line and exit non-zero, never a stack trace. */
async function run(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    const message =
      err instanceof ConfigError
        ? err.message
        : `switchboard: ${err instanceof Error ? err.message : String(err)}`;
    process.stderr.write(`${message}\n`);
    process.exit(err instanceof ConfigError ? 78 : 1);
  }
}

const program = new Command()
  .name('switchboard')
  .description('Operations platform for inbound phone voice agents')
  .showHelpAfterError();

program
  .command('start')
  .description('migrate, seed the demo into an empty database, and serve the platform')
  .action(() =>
    run(async () => {
      const config = loadConfig();
      if (config.processes > 1 && cluster.isPrimary) {
        process.exitCode = await superviseProcesses(config.processes, out);
        return;
      }
      const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
      const platform = await startPlatform(config, log);
      if (printsBanner()) printBanner(config, platform);
      let stopping = false;
      const stop = async (signal: string) => {
        // Ctrl+C reaches every process of a cluster, then the primary sends SIGTERM too: drain once.
        if (stopping) return;
        stopping = true;
        if (printsBanner()) out(`\n${signal}: shutting down`);
        await platform.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
    }),
  );

function printBanner(config: Config, platform: Platform): void {
  out(`Switchboard is up at ${platform.url}`);
  out(
    `  database: ${config.database.kind === 'postgres' ? 'PostgreSQL' : `embedded PGlite in ${config.dataDir}`}`,
  );
  out(`  store:    ${config.store.kind === 'redis' ? 'Redis' : 'in-memory'}`);
  out(`  API docs: ${platform.url}/api/docs`);
  if (platform.sandbox) {
    out(`  Sandbox emulators (${config.sandbox.pace} pace):`);
    for (const line of sandboxPortLines(platform.sandbox)) out(line);
  }
  if (config.seedDemo) {
    out(platform.seeded ? '  Seeded the demo. Logins:' : '  Demo logins (seeded earlier):');
    for (const l of DEMO_LOGINS)
      out(`    ${l.role.padEnd(18)} ${l.email.padEnd(32)} ${l.password}${l.tenant ? `  (${l.tenant})` : ''}`);
  }
  out('Press Ctrl+C to stop.');
}

program
  .command('migrate')
  .description('apply database migrations and exit')
  .action(() =>
    run(async () => {
      const config = loadConfig();
      const database = await openPlatformDatabase(config);
      try {
        await database.migrate();
        out('migrations applied');
      } finally {
        await database.close();
      }
    }),
  );

registerSeedCommand(program, run, out);

program
  .command('call')
  .description('place a simulated call through a running Switchboard (sandbox) and print the conversation')
  .requiredOption('--to <number>', 'the E.164 number to call, e.g. +15005550006')
  .requiredOption(
    '--scenario <name|file>',
    'a shipped scenario (book-appointment, barge-in, …) or a scenario JSON file',
  )
  .option('--url <url>', 'the server (default http://HOST:PORT)')
  .option('--api-key <key>', 'an API key (default $SWITCHBOARD_API_KEY)')
  .option('--email <email>', 'sign in with email and password instead')
  .option('--password <password>')
  .option('--speed <n>', 'playout speed, 1 = real time')
  .action((options: CallOptions) =>
    run(async () => {
      const config = loadConfig();
      const code = await runCallCommand(config, { apiKey: process.env.SWITCHBOARD_API_KEY, ...options }, out);
      process.exitCode = code;
    }),
  );

program
  .command('config')
  .description('print the configuration variables as a Markdown table')
  .action(() => {
    out(configTableMarkdown());
  });

registerRetentionCommand(program, run, out);
registerKpisCommand(program, run, out);
registerTestCommand(program, run, out);

await program.parseAsync();
