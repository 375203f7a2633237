import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { MIGRATIONS_DIR, openDatabase } from '../../src/db/index.js';
import { adminUrl, databaseUrl } from './urls.js';

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
  } finally {
    await admin.end();
  }
  project.provide('pgTemplate', template);
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgTemplate: string;
  }
}
