import type { Command } from 'commander';
import { findSeedTenant, seedCalls } from '../analytics/index.js';
import { loadConfig } from '../config/index.js';
import { DEMO_TENANTS, seedDemo } from '../control/seed-demo.js';
import { createLogger } from '../lib/logger.js';
import { withPlatformDeps } from './with-platform-deps.js';

type Out = (line?: string) => void;
type Run = (body: () => Promise<void>) => Promise<void>;

interface SeedOptions {
  calls?: string;
  tenant?: string;
}

/** `[#####-----]  50%  500000/1000000 calls  8123/s` on a terminal; a line per 10% otherwise. */
export function progressBar(write: (text: string) => void, isTty: boolean) {
  const started = performance.now();
  let lastTenth = -1;
  return (done: number, total: number) => {
    const ratio = total === 0 ? 1 : done / total;
    const rate = Math.round(done / Math.max(0.001, (performance.now() - started) / 1000));
    const width = 30;
    const filled = Math.round(ratio * width);
    const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}%  ${done}/${total} calls  ${rate}/s`;
    if (isTty) write(`\r${line}${done === total ? '\n' : ''}`);
    else if (Math.floor(ratio * 10) > lastTenth || done === total) {
      lastTenth = Math.floor(ratio * 10);
      write(`${line}\n`);
    }
  };
}

/** `switchboard seed`: the demo tenants and logins, and with --calls N, N synthetic calls. */
export function registerSeedCommand(program: Command, run: Run, out: Out): void {
  program
    .command('seed')
    .description('seed the demo tenants and logins into an empty database; --calls N adds synthetic calls')
    .option(
      '--calls <n>',
      'also write N realistic synthetic calls (turns, tool executions, costs) over 90 days',
    )
    .option('--tenant <slug>', `the tenant the calls go to (default ${DEMO_TENANTS[0]!.slug})`)
    .action((options: SeedOptions) =>
      run(async () => {
        const calls = options.calls === undefined ? 0 : Number(options.calls);
        if (!Number.isSafeInteger(calls) || calls < 0 || calls > 100_000_000) {
          throw new Error('--calls must be a whole number from 0 to 100000000');
        }
        const config = loadConfig();
        const log = createLogger(config.logLevel);
        await withPlatformDeps(config, log, async (deps, database) => {
          const seeded = await seedDemo(deps);
          out(seeded ? 'demo seeded' : 'database already has users; nothing seeded');
          if (calls === 0) return;
          const slug = options.tenant ?? DEMO_TENANTS[0]!.slug;
          const tenantId = await findSeedTenant(deps, slug);
          if (!tenantId) throw new Error(`no tenant with slug "${slug}"`);
          const result = await seedCalls(deps, {
            tenantId,
            calls,
            batchSize: database.kind === 'postgres' ? 5000 : 1000,
            seed: Date.now() % 2 ** 31,
            onProgress: progressBar((text) => process.stderr.write(text), process.stderr.isTTY === true),
          });
          out(
            `seeded ${result.calls} calls into ${slug}: ${result.utterances} turns, ${result.toolExecutions} tool executions (${result.attempts} attempts), ${result.costs} cost lines`,
          );
        });
      }),
    );
}
