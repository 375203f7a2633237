/** The machine's PostgreSQL and Redis, overridable for other set-ups. */
export const adminUrl = () => process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const redisUrl = () => process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function databaseUrl(name: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * The non-superuser login role the services suite runs the application as (global setup creates it),
 * while migrations and test fixtures use the admin URL, the tables' owner.
 */
export const runtimeRole = () => process.env.TEST_PG_RUNTIME_ROLE ?? 'switchboard_runtime';

export function runtimeDatabaseUrl(name: string): string {
  const url = new URL(databaseUrl(name));
  url.username = runtimeRole();
  url.password = process.env.TEST_PG_RUNTIME_PASSWORD ?? '';
  return url.toString();
}
