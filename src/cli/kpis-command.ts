import { type Command, InvalidArgumentError } from 'commander';
import { eq, or } from 'drizzle-orm';
import { recomputeKpis } from '../analytics/index.js';
import { loadConfig } from '../config/index.js';
import { tables, withAllTenants } from '../db/index.js';
import { createLogger } from '../lib/logger.js';
import { withPlatformDeps } from './with-platform-deps.js';

const day = (value: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new InvalidArgumentError('expected a date YYYY-MM-DD');
  }
  return value;
};

/** `switchboard kpis recompute --from --to [--tenant]`: rebuilds daily KPIs (and call metrics) from calls. */
export function registerKpisCommand(
  program: Command,
  run: (body: () => Promise<void>) => Promise<void>,
  out: (line?: string) => void,
): void {
  program
    .command('kpis')
    .description('daily KPI rollups')
    .command('recompute')
    .description("rebuild the daily KPIs of a range of days (each tenant's days in its time zone)")
    .requiredOption('--from <day>', 'first day, YYYY-MM-DD', day)
    .requiredOption('--to <day>', 'last day, YYYY-MM-DD', day)
    .option('--tenant <id|slug>', 'only this tenant')
    .option('--no-metrics', 'keep stored per-call metrics; only roll up')
    .action((options: { from: string; to: string; tenant?: string; metrics: boolean }) =>
      run(async () => {
        if (options.from > options.to) throw new Error('--from must not be after --to');
        const config = loadConfig();
        const log = createLogger(config.logLevel);
        await withPlatformDeps(config, log, async (deps) => {
          const access = { actor: 'cli', purpose: 'kpis.recompute' };
          let tenantId: string | undefined;
          if (options.tenant) {
            const wanted = options.tenant;
            const [tenant] = await withAllTenants(deps.db, access, deps.crossTenantLog, (tx) =>
              tx
                .select({ id: tables.tenants.id })
                .from(tables.tenants)
                .where(or(eq(tables.tenants.id, wanted), eq(tables.tenants.slug, wanted))),
            );
            if (!tenant) throw new Error(`no tenant ${wanted}`);
            tenantId = tenant.id;
          }
          const result = await recomputeKpis(deps, access, {
            from: options.from,
            to: options.to,
            tenantId,
            metrics: options.metrics,
          });
          out(`daily KPIs recomputed for ${result.tenants} tenant(s), ${options.from} to ${options.to}`);
        });
      }),
    );
}
