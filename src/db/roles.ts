import type { Logger } from 'pino';
import type { Database, RuntimeRole } from './client.js';

/**
 * Logs a warning when the server's database role sidesteps row-level security (a superuser, or
 * BYPASSRLS): tenant isolation in the database then rests on `SET ROLE` alone, which any statement
 * can undo with `RESET ROLE`. Returns the role, or undefined on PGlite.
 */
export async function warnIfPrivilegedRole(
  database: Database,
  log: Pick<Logger, 'warn'>,
): Promise<RuntimeRole | undefined> {
  const role = await database.runtimeRole();
  if (role && (role.superuser || role.bypassRls)) {
    log.warn(
      { dbRole: role.name, superuser: role.superuser, bypassRls: role.bypassRls },
      'the database role bypasses row-level security; run the server as a non-superuser login role (README: Database roles)',
    );
  }
  return role;
}
