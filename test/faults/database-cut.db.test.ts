import { asc, eq, sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../src/db/index.js';
import { followCalls } from '../../src/runtime/live-events.js';
import { placeScenarioCall, startVoiceWorld, type VoiceWorld } from '../e2e/support/voice-world.js';
import { backendKind } from '../support/backend.js';
import { adminUrl } from '../support/urls.js';
import { conversation, expectNextCallServed, expectNothingLost } from './conversation.js';

// PostgreSQL only: the embedded database lives inside the process and has no connections to cut.
const onPostgres = backendKind() === 'services';
let w: VoiceWorld;

beforeAll(async () => {
  if (onPostgres) w = await startVoiceWorld();
}, 180_000);
afterAll(async () => {
  await w?.close();
});

describe.skipIf(!onPostgres)('PostgreSQL connections cut mid-call', () => {
  it('turns said during the outage are buffered and written after it; the call completes', async () => {
    const current = (await w.backend.owner.execute(sql`select current_database() as name`)) as unknown as {
      rows: { name: string }[];
    };
    const name = current.rows[0]!.name;
    // From a connection to another database: PostgreSQL refuses to close the one it is in.
    const admin = new pg.Client({ connectionString: adminUrl() });
    await admin.connect();
    const cut = async (closed: boolean) => {
      // The test database only: other suites on this server are untouched.
      await admin.query(`alter database "${name}" with allow_connections ${closed ? 'false' : 'true'}`);
      if (closed) {
        await admin.query(
          `select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and usename <> current_user`,
          [name],
        );
      }
    };
    // The outage opens once the greeting is recorded and lasts until the agent's answer to the
    // caller's question has been handed to the recorder: both turns in between meet a dead database.
    let utterances = 0;
    let reopenedAt: Date | undefined;
    let outage: Promise<void> = Promise.resolve();
    const unsubscribe = await followCalls(w.backend.store, w.tenantId, (update) => {
      if (update.type !== 'utterance') return;
      utterances++;
      if (utterances === 1) outage = outage.then(() => cut(true));
      if (utterances === 3)
        outage = outage.then(async () => {
          await cut(false);
          reopenedAt = new Date();
        });
    });
    let placed: Awaited<ReturnType<typeof placeScenarioCall>>;
    try {
      placed = await placeScenarioCall(w, await conversation(undefined), { speed: 2 });
    } finally {
      await unsubscribe();
      await outage;
      await cut(false);
      await admin.end();
    }
    expect(reopenedAt).toBeDefined();
    expect(placed.caller.failure, JSON.stringify(placed.caller.transcript)).toBeUndefined();
    expect(placed.row).toMatchObject({ status: 'completed', endReason: 'caller_hangup' });
    await expectNothingLost(w, placed);
    const rows = await w.backend.owner
      .select({ seq: tables.utterances.seq, createdAt: tables.utterances.createdAt })
      .from(tables.utterances)
      .where(eq(tables.utterances.callId, placed.row.id))
      .orderBy(asc(tables.utterances.seq));
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    // The question and the answer were said while the database was closed: written once it reopened.
    expect(rows[1]!.createdAt.getTime()).toBeGreaterThanOrEqual(reopenedAt!.getTime() - 5);
    expect(rows[2]!.createdAt.getTime()).toBeGreaterThanOrEqual(reopenedAt!.getTime() - 5);
    await expectNextCallServed(w);
  });
});
