import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBackend } from '../../../test/support/backend.js';
import { insertRingingCall, openTenantBackend } from '../../../test/support/fixtures.js';
import { tables, withTenant } from '../../db/index.js';
import { recordTelephonyStatus } from './record-telephony-status.js';

let backend: TestBackend;
let tenantId: string;

beforeAll(async () => {
  ({ backend, tenantId } = await openTenantBackend('Replays'));
});
afterAll(() => backend?.close());

const ringingCall = () => insertRingingCall(backend.deps, tenantId);

const statusEvents = (callId: string) =>
  withTenant(backend.deps.db, tenantId, (tx) =>
    tx.select().from(tables.callEvents).where(eq(tables.callEvents.callId, callId)),
  ).then((rows) => rows.filter((r) => r.type === 'telephony_status'));

const telephonyStatus = (callId: string) =>
  withTenant(backend.deps.db, tenantId, (tx) =>
    tx.select().from(tables.calls).where(eq(tables.calls.id, callId)),
  ).then((rows) => rows[0]?.telephonyStatus);

describe('Twilio status callbacks are applied once, in order', () => {
  it('a replayed callback (same CallSid and SequenceNumber) appends nothing', async () => {
    const { id, sid } = await ringingCall();
    const callback = { callSid: sid, status: 'ringing', durationS: undefined, sequence: 0 };
    for (let i = 0; i < 5; i++) await recordTelephonyStatus(backend.deps, callback);
    expect(await statusEvents(id)).toHaveLength(1);
  });

  it('concurrent replays append one event', async () => {
    const { id, sid } = await ringingCall();
    const callback = { callSid: sid, status: 'in-progress', durationS: undefined, sequence: 1 };
    await Promise.all(Array.from({ length: 8 }, () => recordTelephonyStatus(backend.deps, callback)));
    expect(await statusEvents(id)).toHaveLength(1);
  });

  it('an older callback arriving after a newer one changes nothing', async () => {
    const { id, sid } = await ringingCall();
    await recordTelephonyStatus(backend.deps, {
      callSid: sid,
      status: 'completed',
      durationS: 12,
      sequence: 2,
    });
    await recordTelephonyStatus(backend.deps, {
      callSid: sid,
      status: 'ringing',
      durationS: undefined,
      sequence: 1,
    });
    expect(await telephonyStatus(id)).toBe('completed');
    expect((await statusEvents(id)).map((e) => e.data)).toEqual([
      { status: 'completed', durationS: 12, sequence: 2 },
    ]);
  });

  it('without a SequenceNumber, a repeat of the current status is ignored', async () => {
    const { id, sid } = await ringingCall();
    const callback = { callSid: sid, status: 'completed', durationS: 3 };
    await recordTelephonyStatus(backend.deps, callback);
    await recordTelephonyStatus(backend.deps, callback);
    expect(await statusEvents(id)).toHaveLength(1);
  });
});
