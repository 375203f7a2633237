import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { MIGRATIONS_DIR, openDatabase } from '../../src/db/index.js';
import { adminUrl, databaseUrl, runtimeRole } from './urls.js';

/**
 * Migrates one template database per migration set; every test file then clones it
 * (CREATE DATABASE … TEMPLATE), which takes milliseconds instead of a migration run.
 */
export default async function setup(project: TestProject) {
  const hash = createHash('sha256');
  for (const file of readdirSync(MIGRATIONS_DIR)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    hash.update(file).update(readFileSync(join(MIGRATIONS_DIR, file)));
  }
  const template = `sb_template_${hash.digest('hex').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${adminUrl()} (${(err as Error).message}). Start it, or run the embedded suites only with "npm test -- --project unit --project embedded".`,
    );
  }
  try {
    const exists = await admin.query('select 1 from pg_database where datname = $1', [template]);
    if (exists.rowCount === 0) {
      const building = `${template}_build_${process.pid}`;
      await admin.query(`create database "${building}"`);
      const database = await openDatabase({
        kind: 'postgres',
        url: databaseUrl(building),
        maxConnections: 1,
      });
      await database.migrate();
      await database.close();
      // Renaming only once it is complete means a crashed run never leaves a half-migrated template.
      await admin.query(`alter database "${building}" rename to "${template}"`).catch(async (err) => {
        await admin.query(`drop database if exists "${building}"`);
        if (!/already exists/.test((err as Error).message)) throw err;
      });
    }
    await ensureRuntimeRole(admin);
  } finally {
    await admin.end();
  }
  project.provide('pgTemplate', template);
}

/**
 * The application's login role, as the README tells an operator to create it: no superuser, no
 * BYPASSRLS, the tenant and identity roles the migrations create. Other runs may create it at once.
 */
async function ensureRuntimeRole(admin: pg.Client): Promise<void> {
  const role = pg.escapeIdentifier(runtimeRole());
  const password = process.env.TEST_PG_RUNTIME_PASSWORD;
  await admin.query(`
    DO $$
    BEGIN
      CREATE ROLE ${role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    EXCEPTION
      WHEN duplicate_object THEN NULL;
      WHEN unique_violation THEN NULL;
    END
    $$`);
  if (password) await admin.query(`ALTER ROLE ${role} PASSWORD ${pg.escapeLiteral(password)}`);
  await admin.query(`GRANT switchboard_app, switchboard_auth TO ${role}`).catch(async (err) => {
    // A concurrent run granting the same membership: fine once it is there.
    const member = await admin.query(
      `select pg_has_role($1, 'switchboard_app', 'member') and pg_has_role($1, 'switchboard_auth', 'member') as ok`,
      [runtimeRole()],
    );
    if (!member.rows[0]?.ok) throw err;
  });
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgTemplate: string;
  }
}
