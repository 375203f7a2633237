import { eq, inArray } from 'drizzle-orm';
import { recordAudit } from '../../audit/index.js';
import { type CrossTenantAccess, tables, withAllTenants, withTenant } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import type { Actor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { uniqueViolation } from '../db-errors.js';
import { throwIfIssues } from '../field-issues.js';
import { normaliseE164 } from './e164.js';
import { findNumber, numberTaken, type PhoneNumber, requireAssignableAgent } from './number-row.js';
import {
  findTwilioNumber,
  listTwilioNumbers,
  requireTwilio,
  setTwilioVoiceUrl,
  type TwilioNumber,
  type TwilioSettings,
} from './twilio-account.js';

export interface AccountNumber extends TwilioNumber {
  /** The tenant the number is registered to here, or null when it is free to import. */
  registeredTenantId: string | null;
}

/** The Twilio account's numbers, each with the tenant it is registered to (a cross-tenant read). */
export async function listAccountNumbers(
  deps: Deps,
  settings: TwilioSettings | undefined,
  access: CrossTenantAccess,
): Promise<AccountNumber[]> {
  const numbers = await listTwilioNumbers(requireTwilio(settings));
  if (numbers.length === 0) return [];
  const p = tables.phoneNumbers;
  const registered = await withAllTenants(deps.db, access, deps.crossTenantLog, (tx) =>
    tx
      .select({ e164: p.e164, tenantId: p.tenantId })
      .from(p)
      .where(
        inArray(
          p.e164,
          numbers.map((n) => n.e164),
        ),
      ),
  );
  const owner = new Map(registered.map((r) => [r.e164, r.tenantId]));
  return numbers.map((n) => ({ ...n, registeredTenantId: owner.get(n.e164) ?? null }));
}

export interface ImportNumbersInput {
  sids: string[];
  agentId?: string | null;
  /** Also point each number's voice webhook at this platform. */
  setVoiceWebhook?: boolean;
}

export interface ImportedNumber extends PhoneNumber {
  voiceUrl: string | null;
}

/**
 * Registers chosen Twilio numbers to the tenant, all or none. The voice webhooks are set afterwards
 * (Twilio is outside the transaction): a number whose update fails is still registered and shows
 * its current voiceUrl, so the operator can retry with the voice-webhook endpoint.
 */
export async function importTwilioNumbers(
  deps: Deps,
  settings: TwilioSettings | undefined,
  actor: Actor,
  tenantId: string,
  input: ImportNumbersInput,
  voiceWebhookUrl: string,
): Promise<ImportedNumber[]> {
  const twilio = requireTwilio(settings);
  const account = new Map((await listTwilioNumbers(twilio)).map((n) => [n.sid, n]));
  const issues = input.sids.flatMap((sid, i) =>
    account.has(sid) ? [] : [{ field: `sids[${i}]`, message: `is not a number of the Twilio account` }],
  );
  throwIfIssues('VALIDATION_FAILED', 'cannot import', issues);
  const chosen = input.sids.map((sid) => account.get(sid)!);
  let rows: PhoneNumber[];
  try {
    rows = await withTenant(deps.db, tenantId, async (tx) => {
      await requireAssignableAgent(tx, tenantId, input.agentId);
      const inserted: PhoneNumber[] = [];
      for (const number of chosen) {
        const e164 = normaliseE164(number.e164);
        if (!e164.ok) throw new AppError('VALIDATION_FAILED', `Twilio number ${number.e164} is not E.164`);
        const [row] = await tx
          .insert(tables.phoneNumbers)
          .values({
            id: newId('phoneNumber'),
            tenantId,
            e164: e164.value,
            label: number.friendlyName,
            agentId: input.agentId ?? null,
            twilioSid: number.sid,
          })
          .returning();
        await recordAudit(tx, actor, {
          tenantId,
          action: 'phone_number.import',
          targetType: 'phone_number',
          targetId: row!.id,
          summary: { after: { e164: row!.e164, twilioSid: number.sid, agentId: row!.agentId } },
        });
        inserted.push(row!);
      }
      return inserted;
    });
  } catch (err) {
    if (uniqueViolation(err) !== undefined) throw numberTaken('one of these numbers');
    throw err;
  }
  const out: ImportedNumber[] = [];
  for (const row of rows) {
    const current = account.get(row.twilioSid!)!.voiceUrl;
    if (!input.setVoiceWebhook || current === voiceWebhookUrl) {
      out.push({ ...row, voiceUrl: current });
      continue;
    }
    const updated = await setVoiceUrlAudited(deps, twilio, actor, row, current, voiceWebhookUrl).catch(
      (err: unknown) => {
        deps.log.warn({ err, phoneNumberId: row.id }, 'setting the Twilio voice webhook failed');
        return undefined;
      },
    );
    out.push({ ...row, voiceUrl: updated?.voiceUrl ?? current });
  }
  return out;
}

export interface VoiceWebhookState {
  twilioSid: string;
  /** Where Twilio sends calls now. */
  voiceUrl: string | null;
  voiceMethod: string | null;
  /** Where it should send them: this platform's voice webhook. */
  expectedUrl: string;
  configured: boolean;
}

/** The tenant's number and the Twilio account's record of it. */
async function findOnTwilio(
  deps: Deps,
  settings: TwilioSettings | undefined,
  tenantId: string,
  numberId: string,
): Promise<{ twilio: TwilioSettings; number: PhoneNumber; found: TwilioNumber }> {
  const twilio = requireTwilio(settings);
  const number = await withTenant(deps.db, tenantId, (tx) => findNumber(tx, tenantId, numberId));
  const found = await findTwilioNumber(twilio, number.e164);
  if (!found)
    throw new AppError('TWILIO_NUMBER_NOT_FOUND', `${number.e164} is not a number of the Twilio account`);
  return { twilio, number, found };
}

function webhookState(onTwilio: TwilioNumber, expectedUrl: string): VoiceWebhookState {
  return {
    twilioSid: onTwilio.sid,
    voiceUrl: onTwilio.voiceUrl,
    voiceMethod: onTwilio.voiceMethod,
    expectedUrl,
    configured: onTwilio.voiceUrl === expectedUrl && onTwilio.voiceMethod === 'POST',
  };
}

export async function getVoiceWebhook(
  deps: Deps,
  settings: TwilioSettings | undefined,
  tenantId: string,
  numberId: string,
  expectedUrl: string,
): Promise<VoiceWebhookState> {
  const { found } = await findOnTwilio(deps, settings, tenantId, numberId);
  return webhookState(found, expectedUrl);
}

/** Points the number's Twilio voice webhook at this platform (and remembers its Twilio sid). */
export async function setVoiceWebhook(
  deps: Deps,
  settings: TwilioSettings | undefined,
  actor: Actor,
  tenantId: string,
  numberId: string,
  expectedUrl: string,
): Promise<VoiceWebhookState> {
  const { twilio, number, found } = await findOnTwilio(deps, settings, tenantId, numberId);
  const updated = await setVoiceUrlAudited(
    deps,
    twilio,
    actor,
    { ...number, twilioSid: found.sid },
    found.voiceUrl,
    expectedUrl,
  );
  return webhookState(updated, expectedUrl);
}

async function setVoiceUrlAudited(
  deps: Deps,
  twilio: TwilioSettings,
  actor: Actor,
  number: PhoneNumber,
  before: string | null,
  voiceUrl: string,
): Promise<TwilioNumber> {
  const updated = await setTwilioVoiceUrl(twilio, number.twilioSid!, voiceUrl);
  await withTenant(deps.db, number.tenantId, async (tx) => {
    await tx
      .update(tables.phoneNumbers)
      .set({ twilioSid: updated.sid, updatedAt: deps.now() })
      .where(eq(tables.phoneNumbers.id, number.id));
    await recordAudit(tx, actor, {
      tenantId: number.tenantId,
      action: 'phone_number.set_voice_webhook',
      targetType: 'phone_number',
      targetId: number.id,
      summary: { before: { voiceUrl: before }, after: { voiceUrl: updated.voiceUrl } },
    });
  });
  return updated;
}
