import { Command } from 'commander';
import { ConfigError, loadConfig } from '../config/index.js';
import { SYSTEM_ACTOR } from '../lib/actor.js';
import { createLogger } from '../lib/logger.js';
import { openPlatformDatabase } from '../platform/platform.js';
import { createDeps, recordingStore } from '../platform/services.js';
import {
  findTenantIdBySlug,
  type RetentionRunResult,
  retentionLock,
  runRetention,
} from '../retention/index.js';
import { openStore } from '../store/index.js';

const out = (line = '') => process.stdout.write(`${line}\n`);

interface RunOptions {
  dryRun?: boolean;
  tenant?: string;
  now?: string;
}

/** `switchboard retention run [--dry-run] [--tenant slug] [--now ISO]`. */
export function retentionCommand(): Command {
  const retention = new Command('retention').description('retention cleanup and deletion audit');
  retention
    .command('run')
    .description("delete expired call content (not on legal hold) under each tenant's policy, and audit it")
    .option('--dry-run', 'print and record what would be deleted; delete nothing')
    .option('--tenant <slug>', 'only this tenant')
    .option('--now <iso>', 'treat this instant as now (e.g. 2026-12-31T00:00:00Z)')
    .action(async (options: RunOptions) => {
      try {
        process.exitCode = await runCommand(options);
      } catch (err) {
        const message =
          err instanceof ConfigError
            ? err.message
            : `switchboard: ${err instanceof Error ? err.message : String(err)}`;
        process.stderr.write(`${message}\n`);
        process.exitCode = err instanceof ConfigError ? 78 : 1;
      }
    });
  return retention;
}

async function runCommand(options: RunOptions): Promise<number> {
  let asOf: Date | undefined;
  if (options.now !== undefined) {
    asOf = new Date(options.now);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(options.now) || Number.isNaN(asOf.getTime())) {
      throw new Error(`--now must be an ISO 8601 date-time, got "${options.now}"`);
    }
  }
  const config = loadConfig();
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const database = await openPlatformDatabase(config);
  const store = await openStore(config.store);
  try {
    await database.migrate();
    const deps = createDeps(config, database.db, store, log);
    const tenantId = options.tenant
      ? await findTenantIdBySlug(deps, { actor: 'cli', purpose: 'retention.run' }, options.tenant)
      : undefined;
    const run = await runRetention(
      deps,
      { blobs: recordingStore(config), lock: retentionLock(database.db, database.kind) },
      { trigger: 'cli', actor: SYSTEM_ACTOR, dryRun: options.dryRun, tenantId, asOf },
    );
    print(run);
    return run.status === 'succeeded' && run.errors === 0 ? 0 : 1;
  } finally {
    await store.close();
    await database.close();
  }
}

function print(run: RetentionRunResult) {
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
