import { startTwilioEmulator, type TwilioEmulator } from '@switchboard/sandbox';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, call, listPages } from '../../../test/support/app.js';
import { openTestBackend, type TestBackend } from '../../../test/support/backend.js';
import { createWorld, type World } from '../../../test/support/fixtures.js';
import { tables } from '../../db/index.js';
import { CONTROL_TEST_ENV, createBoundTool, expectStatus } from '../control-fixtures.test-support.js';
import { resolveNumber } from './resolve-number.js';

let backend: TestBackend;
let app: FastifyInstance;
let twilioApp: FastifyInstance;
let world: World;
let twilio: TwilioEmulator;

const PUBLIC_URL = 'https://switchboard.example';

beforeAll(async () => {
  backend = await openTestBackend();
  twilio = await startTwilioEmulator({
    numbers: [
      { phoneNumber: '+14155550111', friendlyName: 'Main line' },
      { phoneNumber: '+14155550112', voiceUrl: 'https://old.example/voice' },
      { phoneNumber: '+14155550113' },
    ],
  });
  app = await buildTestApp(backend, CONTROL_TEST_ENV);
  twilioApp = await buildTestApp(backend, {
    ...CONTROL_TEST_ENV,
    PUBLIC_URL,
    TWILIO_ACCOUNT_SID: twilio.accountSid,
    TWILIO_AUTH_TOKEN: twilio.authToken,
    TWILIO_API_BASE_URL: twilio.url,
  });
  world = await createWorld(backend, app);
});
afterAll(async () => {
  await app?.close();
  await twilioApp?.close();
  await twilio?.close();
  await backend?.close();
});

/** An agent of the tenant, made by the operator, that numbers can be routed to. */
const createAgent = (tenantId: string, name: string) =>
  expectStatus<{ id: string }>(app, world.as.operator, 'POST', `/api/tenants/${tenantId}/agents`, 201, {
    name,
  });

interface NumberBody {
  id: string;
  e164: string;
  agentId: string | null;
  label: string | null;
  twilioSid: string | null;
}

describe('phone numbers', () => {
  it('registers normalised E.164 numbers, lists with pagination, routes, relabels and releases', async () => {
    const { operator } = world.as;
    const t = `/api/tenants/${world.tenantA}/phone-numbers`;
    const agent = await createAgent(world.tenantA, 'A');
    const one = await expectStatus<NumberBody>(app, operator, 'POST', t, 201, {
      e164: '0044 20 7946 0958',
      label: 'London',
    });
    expect(one).toMatchObject({ e164: '+442079460958', label: 'London', agentId: null });
    const two = await expectStatus<NumberBody>(app, operator, 'POST', t, 201, {
      e164: '+1 212 555 0199',
      agentId: agent.id,
    });
    expect(two.agentId).toBe(agent.id);
    const three = await expectStatus<NumberBody>(app, operator, 'POST', t, 201, {
      e164: '+33 1 23 45 67 89',
    });

    const pages = await listPages<NumberBody>(app, operator, `${t}?limit=2`);
    expect(pages.map((page) => page.map((n) => n.id))).toEqual([[three.id, two.id], [one.id]]);
    const byAgent = await expectStatus<{ items: NumberBody[] }>(
      app,
      operator,
      'GET',
      `${t}?agentId=${agent.id}`,
      200,
    );
    expect(byAgent.items.map((n) => n.id)).toEqual([two.id]);

    const routed = await expectStatus<NumberBody>(app, operator, 'PATCH', `${t}/${one.id}`, 200, {
      agentId: agent.id,
      label: null,
    });
    expect(routed).toMatchObject({ agentId: agent.id, label: null });
    expect(await expectStatus(app, operator, 'GET', `${t}/${one.id}`, 200)).toMatchObject({
      agentId: agent.id,
    });
    await expectStatus(app, operator, 'DELETE', `${t}/${three.id}`, 200);
    expect((await call(app, operator, 'GET', `${t}/${three.id}`)).statusCode).toBe(404);

    const audit = (await backend.owner.select().from(tables.auditLog)).filter((r) => r.targetId === one.id);
    expect(audit.find((r) => r.action === 'phone_number.assign')?.summary).toEqual({
      before: { agentId: null, label: 'London' },
      after: { agentId: agent.id, label: null },
    });
  });

  it('refuses bad numbers, duplicates across tenants and foreign agents, writing nothing', async () => {
    const { operator } = world.as;
    const count = async () => (await backend.owner.select().from(tables.phoneNumbers)).length;
    const before = await count();
    const bad = await call(app, operator, 'POST', `/api/tenants/${world.tenantA}/phone-numbers`, {
      e164: '415 555 0100',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toEqual([
      { field: 'e164', message: expect.stringMatching(/country code/) },
    ]);
    await expectStatus(app, operator, 'POST', `/api/tenants/${world.tenantB}/phone-numbers`, 201, {
      e164: '+61 2 9876 5432',
    });
    const taken = await call(app, operator, 'POST', `/api/tenants/${world.tenantA}/phone-numbers`, {
      e164: '+61298765432',
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.code).toBe('PHONE_NUMBER_TAKEN');
    const agentB = await createAgent(world.tenantB, 'B');
    const foreign = await call(app, operator, 'POST', `/api/tenants/${world.tenantA}/phone-numbers`, {
      e164: '+61298765433',
      agentId: agentB.id,
    });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().error.details).toEqual([
      { field: 'agentId', message: 'is not an agent of this tenant' },
    ]);
    expect(await count()).toBe(before + 1);
  });

  it('denies client viewers and other tenants', async () => {
    const t = `/api/tenants/${world.tenantA}/phone-numbers`;
    expect((await call(app, world.as.viewerA, 'GET', t)).statusCode).toBe(403);
    expect((await call(app, world.as.viewerA, 'POST', t, { e164: '+14155550999' })).statusCode).toBe(403);
    expect((await call(app, world.as.viewerB, 'GET', t)).statusCode).toBe(403);
    expect((await call(app, world.as.viewerA, 'GET', '/api/twilio/incoming-numbers')).statusCode).toBe(403);
  });
});

describe('resolveNumber', () => {
  it('says why a number does not reach an agent, then resolves once everything is in place', async () => {
    const { admin } = world.as;
    const t = `/api/tenants/${world.tenantB}`;
    expect(await resolveNumber(backend.deps, '+19995550000')).toEqual({
      ok: false,
      reason: 'unknown_number',
    });
    expect(await resolveNumber(backend.deps, 'anonymous')).toEqual({ ok: false, reason: 'unknown_number' });
    const number = await expectStatus<NumberBody>(app, admin, 'POST', `${t}/phone-numbers`, 201, {
      e164: '+14085550100',
    });
    expect(await resolveNumber(backend.deps, '+1 408 555 0100')).toMatchObject({
      ok: false,
      reason: 'no_agent',
      phoneNumberId: number.id,
      tenant: { id: world.tenantB },
    });
    const { toolId } = await createBoundTool(app, admin, world.tenantB, { name: 'resolver_tool' });
    const agent = await expectStatus<{ id: string }>(app, admin, 'POST', `${t}/agents`, 201, {
      name: 'Resolver',
      draft: { systemPrompt: 'Help.', toolIds: [toolId] },
    });
    await expectStatus(app, admin, 'PATCH', `${t}/phone-numbers/${number.id}`, 200, { agentId: agent.id });
    expect(await resolveNumber(backend.deps, '+14085550100')).toMatchObject({
      ok: false,
      reason: 'no_published_version',
    });
    const v1 = await expectStatus<{ id: string }>(
      app,
      admin,
      'POST',
      `${t}/agents/${agent.id}/versions`,
      201,
    );
    const resolved = await resolveNumber(backend.deps, '+14085550100');
    expect(resolved).toMatchObject({
      ok: true,
      agent: { id: agent.id },
      liveVersion: { id: v1.id, version: 1 },
    });
    expect(resolved.ok && resolved.liveVersion.config.tools.map((tool) => tool.id)).toEqual([toolId]);

    await expectStatus(app, admin, 'PATCH', `/api/tenants/${world.tenantB}`, 200, { status: 'suspended' });
    expect(await resolveNumber(backend.deps, '+14085550100')).toMatchObject({
      ok: false,
      reason: 'tenant_suspended',
      tenant: { id: world.tenantB, status: 'suspended' },
    });
    await expectStatus(app, admin, 'PATCH', `/api/tenants/${world.tenantB}`, 200, { status: 'active' });
    expect((await resolveNumber(backend.deps, '+14085550100')).ok).toBe(true);
  });
});

describe('Twilio import', () => {
  it('is refused with a clear error when Twilio is not configured', async () => {
    const res = await call(app, world.as.admin, 'GET', '/api/twilio/incoming-numbers');
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('TWILIO_NOT_CONFIGURED');
  });

  it("lists the account's numbers, imports chosen ones and points their voice webhook here", async () => {
    const { operator } = world.as;
    const expected = `${PUBLIC_URL}/twilio/voice`;
    const listed = await expectStatus<{
      items: { sid: string; e164: string; registeredTenantId: string | null }[];
      voiceWebhookUrl: string;
    }>(twilioApp, operator, 'GET', '/api/twilio/incoming-numbers', 200);
    expect(listed.voiceWebhookUrl).toBe(expected);
    expect(listed.items.map((n) => n.e164)).toEqual(['+14155550111', '+14155550112', '+14155550113']);
    expect(listed.items.every((n) => n.registeredTenantId === null)).toBe(true);
    const [main, old] = listed.items;

    const t = `/api/tenants/${world.tenantA}/phone-numbers`;
    const badSid = await call(twilioApp, operator, 'POST', `${t}/import`, {
      sids: [main!.sid, `PN${'0'.repeat(32)}`],
    });
    expect(badSid.statusCode).toBe(400);
    expect(badSid.json().error.details).toEqual([
      { field: 'sids[1]', message: 'is not a number of the Twilio account' },
    ]);

    const imported = await expectStatus<{ items: (NumberBody & { voiceUrl: string | null })[] }>(
      twilioApp,
      operator,
      'POST',
      `${t}/import`,
      201,
      { sids: [main!.sid, old!.sid], setVoiceWebhook: true },
    );
    expect(imported.items).toEqual([
      expect.objectContaining({
        e164: '+14155550111',
        label: 'Main line',
        twilioSid: main!.sid,
        voiceUrl: expected,
      }),
      expect.objectContaining({ e164: '+14155550112', twilioSid: old!.sid, voiceUrl: expected }),
    ]);
    expect(twilio.numbers.find((n) => n.sid === old!.sid)).toMatchObject({
      voiceUrl: expected,
      voiceMethod: 'POST',
    });

    const again = await call(
      twilioApp,
      operator,
      'POST',
      `/api/tenants/${world.tenantB}/phone-numbers/import`,
      { sids: [main!.sid] },
    );
    expect(again.statusCode).toBe(409);
    const relisted = await expectStatus<{ items: { e164: string; registeredTenantId: string | null }[] }>(
      twilioApp,
      operator,
      'GET',
      '/api/twilio/incoming-numbers',
      200,
    );
    expect(relisted.items.map((n) => n.registeredTenantId)).toEqual([world.tenantA, world.tenantA, null]);

    // A number registered by hand: show its webhook, then set it.
    const third = await expectStatus<NumberBody>(twilioApp, operator, 'POST', t, 201, {
      e164: '+14155550113',
    });
    const shown = await expectStatus(twilioApp, operator, 'GET', `${t}/${third.id}/voice-webhook`, 200);
    expect(shown).toMatchObject({ voiceUrl: null, expectedUrl: expected, configured: false });
    const set = await expectStatus(twilioApp, operator, 'PUT', `${t}/${third.id}/voice-webhook`, 200);
    expect(set).toMatchObject({ voiceUrl: expected, voiceMethod: 'POST', configured: true });
    const [row] = await backend.owner
      .select()
      .from(tables.phoneNumbers)
      .where(eq(tables.phoneNumbers.id, third.id));
    expect(row!.twilioSid).toMatch(/^PN/);
    const audit = (await backend.owner.select().from(tables.auditLog)).find(
      (r) => r.action === 'phone_number.set_voice_webhook' && r.targetId === third.id,
    );
    expect(audit?.summary).toEqual({ before: { voiceUrl: null }, after: { voiceUrl: expected } });

    const notOnTwilio = await expectStatus<NumberBody>(twilioApp, operator, 'POST', t, 201, {
      e164: '+14155550999',
    });
    const missing = await call(twilioApp, operator, 'GET', `${t}/${notOnTwilio.id}/voice-webhook`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('TWILIO_NUMBER_NOT_FOUND');
  });
});
