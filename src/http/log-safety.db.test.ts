import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, call } from '../../test/support/app.js';
import { openTestBackend, type TestBackend } from '../../test/support/backend.js';
import { createWorld, type World } from '../../test/support/fixtures.js';
import { withLogCapture } from '../../test/support/log-capture.js';

let backend: TestBackend;
let app: FastifyInstance;
let world: World;
const lines: string[] = [];

beforeAll(async () => {
  backend = withLogCapture(await openTestBackend(), 'info', lines);
  app = await buildTestApp(backend);
  world = await createWorld(backend, app);
  // A write the database refuses: a trigger stands in for any constraint the application did not foresee.
  await backend.owner.execute(
    sql.raw(`create function sb_test_refuse_user() returns trigger language plpgsql as $$
      begin
        if new.name = 'refuse-me' then
          raise exception 'refused' using errcode = '23514', constraint = 'users_test_check', table = 'users';
        end if;
        return new;
      end $$`),
  );
  await backend.owner.execute(
    sql.raw(
      'create trigger sb_test_refuse before insert on users for each row execute function sb_test_refuse_user()',
    ),
  );
});
afterAll(async () => {
  await app?.close();
  await backend?.close();
});

describe('logs never carry query parameters or bodies', () => {
  it('a failed write logs the database code, constraint and table, not the password hash', async () => {
    lines.length = 0;
    const password = 'a-very-secret-password-123';
    const res = await call(app, world.as.admin, 'POST', '/api/users?note=query-secret-xyz', {
      email: 'refused@example.com',
      name: 'refuse-me',
      password,
    });
    expect(res.statusCode).toBe(500);
    expect(res.json().error.code).toBe('INTERNAL');
    const log = lines.join('');
    const entry = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'unhandled error');
    expect(entry?.err).toMatchObject({ code: '23514', constraint: 'users_test_check', table: 'users' });
    expect(log).not.toContain('$argon2');
    expect(log).not.toContain(password);
    expect(log).not.toContain('refused@example.com');
    expect(log).not.toContain('insert into');
    expect(log).not.toContain('query-secret-xyz');
  });

  it('two creations of one email racing: the loser gets 409, not a 500', async () => {
    const body = { email: 'twice@example.com', name: 'Twice', password: 'another-long-password' };
    const answers = await Promise.all(
      [1, 2, 3].map(() => call(app, world.as.admin, 'POST', '/api/users', body)),
    );
    const statuses = answers.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([201, 409, 409]);
  });
});
