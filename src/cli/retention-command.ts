import { Command } from 'commander';
import { loadConfig } from '../config/index.js';
import { SYSTEM_ACTOR } from '../lib/actor.js';
import { createLogger } from '../lib/logger.js';
import { recordingStore } from '../platform/services.js';
import {
  findTenantIdBySlug,
  type RetentionRunResult,
  retentionLock,
  runRetention,
} from '../retention/index.js';
import { withPlatformDeps } from './with-platform-deps.js';

interface RunOptions {
  dryRun?: boolean;
  tenant?: string;
  now?: string;
}

/** `switchboard retention run [--dry-run] [--tenant slug] [--now ISO]`. */
export function registerRetentionCommand(
  program: Command,
  run: (body: () => Promise<void>) => Promise<void>,
  out: (line?: string) => void,
): void {
  const retention = new Command('retention').description('retention cleanup and deletion audit');
  retention
    .command('run')
    .description("delete expired call content (not on legal hold) under each tenant's policy, and audit it")
    .option('--dry-run', 'print and record what would be deleted; delete nothing')
    .option('--tenant <slug>', 'only this tenant')
    .option('--now <iso>', 'treat this instant as now (e.g. 2026-12-31T00:00:00Z)')
    .action((options: RunOptions) =>
      run(async () => {
        process.exitCode = await runCommand(options, out);
      }),
    );
  program.addCommand(retention);
}

async function runCommand(options: RunOptions, out: (line?: string) => void): Promise<number> {
  let asOf: Date | undefined;
  if (options.now !== undefined) {
    asOf = new Date(options.now);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(options.now) || Number.isNaN(asOf.getTime())) {
      throw new Error(`--now must be an ISO 8601 date-time, got "${options.now}"`);
    }
  }
  const config = loadConfig();
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  return withPlatformDeps(config, log, async (deps, database) => {
    const tenantId = options.tenant
      ? await findTenantIdBySlug(deps, { actor: 'cli', purpose: 'retention.run' }, options.tenant)
      : undefined;
    const run = await runRetention(
      deps,
      { blobs: recordingStore(config), lock: retentionLock(database.db, database.kind) },
      { trigger: 'cli', actor: SYSTEM_ACTOR, dryRun: options.dryRun, tenantId, asOf },
    );
    print(run, out);
    return run.status === 'succeeded' && run.errors === 0 ? 0 : 1;
  });
}

function print(run: RetentionRunResult, out: (line?: string) => void) {
  if (run.planned) {
    out(
      `dry run ${run.id} as of ${run.asOf.toISOString()}: would delete the content of ${run.planned.length} call(s)`,
    );
    for (const p of run.planned) {
      out(
        `  ${p.callId}  tenant ${p.tenantId}  ${p.policyDays}-day policy: ${p.utterances} utterances, ${p.events} events, ${p.toolBodies} tool bodies, ${p.recordings} recording(s) ${p.recordingBytes} bytes`,
      );
    }
  } else {
    out(`retention run ${run.id} as of ${run.asOf.toISOString()}: ${run.status}`);
  }
  out(
    `  examined ${run.callsExamined}, ${run.dryRun ? 'would clean' : 'cleaned'} ${run.callsCleaned}, skipped for legal hold ${run.skippedHold}, errors ${run.errors}`,
  );
  if (run.errorMessage) out(`  error: ${run.errorMessage}`);
}
