import { Type } from 'typebox';
import {
  getNumber,
  getVoiceWebhook,
  importTwilioNumbers,
  listAccountNumbers,
  listNumbers,
  registerNumber,
  releaseNumber,
  setVoiceWebhook,
  updateNumber,
} from '../../control/phone-numbers/index.js';
import { Nullable } from '../../lib/schema-helpers.js';
import { VOICE_PATH } from '../../telephony/index.js';
import { routePlugin } from '../route.js';
import { ErrorBody, Id, Page, PageQuery, Strict, TenantParams, Timestamp } from '../schemas.js';
import { tenantResourceParams } from '../tenant-resource-schemas.js';
import { crossTenantAccess } from './access.js';

const Label = Type.String({ maxLength: 120 });
const PhoneNumber = Strict({
  id: Id('phoneNumber'),
  tenantId: Id('tenant'),
  e164: Type.String({ description: 'E.164, e.g. +14155550100' }),
  agentId: Nullable(Id('agent')),
  label: Nullable(Type.String()),
  twilioSid: Nullable(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
const TwilioSid = Type.String({ pattern: '^PN[0-9a-fA-F]{32}$' });
const NumberParams = tenantResourceParams('numberId', 'phoneNumber');
const VoiceWebhook = Strict({
  twilioSid: Type.String(),
  voiceUrl: Nullable(Type.String()),
  voiceMethod: Nullable(Type.String()),
  expectedUrl: Type.String(),
  configured: Type.Boolean({ description: 'Twilio POSTs calls to this platform' }),
});
const twilioErrors = { 409: ErrorBody, 502: ErrorBody };

export const phoneNumberRoutes = routePlugin(['phone numbers'], (route, { deps, config, publicUrl }) => {
  const voiceWebhookUrl = () => `${publicUrl.get()}${VOICE_PATH}`;

  route({
    method: 'GET',
    url: '/api/tenants/:tenantId/phone-numbers',
    access: 'numbers:read',
    summary: "A tenant's phone numbers, newest first",
    params: TenantParams,
    querystring: Strict({ ...PageQuery.properties, agentId: Type.Optional(Id('agent')) }),
    response: { 200: Page(PhoneNumber) },
    handler: async (request) => listNumbers(deps, request.params.tenantId, request.query),
  });

  route({
    method: 'POST',
    url: '/api/tenants/:tenantId/phone-numbers',
    access: 'numbers:write',
    action: 'phone_number.register',
    summary: 'Register a number to the tenant (normalised to E.164; unique platform-wide)',
    params: TenantParams,
    body: Strict({
      e164: Type.String({
        minLength: 1,
        maxLength: 40,
        description: 'any common notation with country code',
      }),
      label: Type.Optional(Nullable(Label)),
      agentId: Type.Optional(Nullable(Id('agent'))),
      twilioSid: Type.Optional(Nullable(TwilioSid)),
    }),
    response: { 201: PhoneNumber, 409: ErrorBody },
    handler: async (request) => registerNumber(deps, request.actor, request.params.tenantId, request.body),
  });

  route({
    method: 'GET',
    url: '/api/tenants/:tenantId/phone-numbers/:numberId',
    access: 'numbers:read',
    summary: 'Get a phone number',
    params: NumberParams,
    response: { 200: PhoneNumber },
    handler: async (request) => getNumber(deps, request.params.tenantId, request.params.numberId),
  });

  route({
    method: 'PATCH',
    url: '/api/tenants/:tenantId/phone-numbers/:numberId',
    access: 'numbers:write',
    action: 'phone_number.update',
    summary: 'Route the number to an agent (or null) or relabel it',
    params: NumberParams,
    body: Strict({
      agentId: Type.Optional(Nullable(Id('agent'))),
      label: Type.Optional(Nullable(Label)),
    }),
    response: { 200: PhoneNumber },
    handler: async (request) =>
      updateNumber(deps, request.actor, request.params.tenantId, request.params.numberId, request.body),
  });

  route({
    method: 'DELETE',
    url: '/api/tenants/:tenantId/phone-numbers/:numberId',
    access: 'numbers:write',
    action: 'phone_number.release',
    summary: 'Release the number from the tenant (Twilio is not touched)',
    params: NumberParams,
    response: { 200: PhoneNumber },
    handler: async (request) =>
      releaseNumber(deps, request.actor, request.params.tenantId, request.params.numberId),
  });

  route({
    method: 'GET',
    url: '/api/twilio/incoming-numbers',
    access: 'numbers:read',
    summary: "The Twilio account's numbers and the tenant each is registered to",
    response: {
      200: Strict({
        items: Type.Array(
          Strict({
            sid: Type.String(),
            e164: Type.String(),
            friendlyName: Type.String(),
            voiceUrl: Nullable(Type.String()),
            voiceMethod: Nullable(Type.String()),
            registeredTenantId: Nullable(Id('tenant')),
          }),
        ),
        voiceWebhookUrl: Type.String(),
      }),
      ...twilioErrors,
    },
    handler: async (request) => ({
      items: await listAccountNumbers(deps, config.twilio, crossTenantAccess(request, 'twilio.numbers')),
      voiceWebhookUrl: voiceWebhookUrl(),
    }),
  });

  route({
    method: 'POST',
    url: '/api/tenants/:tenantId/phone-numbers/import',
    access: 'numbers:write',
    action: 'phone_number.import',
    summary: 'Register numbers of the Twilio account to the tenant (all or none)',
    params: TenantParams,
    body: Strict({
      sids: Type.Array(TwilioSid, { minItems: 1, maxItems: 100, uniqueItems: true }),
      agentId: Type.Optional(Nullable(Id('agent'))),
      setVoiceWebhook: Type.Optional(
        Type.Boolean({ description: 'also point each number at this platform' }),
      ),
    }),
    response: {
      201: Strict({
        items: Type.Array(Strict({ ...PhoneNumber.properties, voiceUrl: Nullable(Type.String()) })),
      }),
      ...twilioErrors,
    },
    handler: async (request) => ({
      items: await importTwilioNumbers(
        deps,
        config.twilio,
        request.actor,
        request.params.tenantId,
        request.body,
        voiceWebhookUrl(),
      ),
    }),
  });

  route({
    method: 'GET',
    url: '/api/tenants/:tenantId/phone-numbers/:numberId/voice-webhook',
    access: 'numbers:read',
    summary: "Where Twilio sends this number's calls, and where it should",
    params: NumberParams,
    response: { 200: VoiceWebhook, ...twilioErrors },
    handler: async (request) =>
      getVoiceWebhook(
        deps,
        config.twilio,
        request.params.tenantId,
        request.params.numberId,
        voiceWebhookUrl(),
      ),
  });

  route({
    method: 'PUT',
    url: '/api/tenants/:tenantId/phone-numbers/:numberId/voice-webhook',
    access: 'numbers:write',
    action: 'phone_number.set_voice_webhook',
    summary: "Point the number's Twilio voice webhook at this platform",
    params: NumberParams,
    response: { 200: VoiceWebhook, ...twilioErrors },
    handler: async (request) =>
      setVoiceWebhook(
        deps,
        config.twilio,
        request.actor,
        request.params.tenantId,
        request.params.numberId,
        voiceWebhookUrl(),
      ),
  });
});
