import { z } from 'zod';

/**
 * Scripted behaviour of a webhook workflow in the n8n emulator: what one call to the webhook
 * produces. Plain data, composed into scenario files.
 */

const Status = z.number().int().min(100).max(599);
const Headers = z.record(z.string(), z.string());

const common = {
  /** Wait before acting; the wait ends early (and nothing is sent) when the caller disconnects. */
  delayMs: z.number().int().min(0).optional(),
  status: Status.optional(),
  headers: Headers.optional(),
};

/**
 * One call's outcome. In `json` bodies, string values are templates over the webhook's output
 * item `{ headers, params, query, body }` (what n8n calls `$json`): `{{body.callSid}}` is
 * interpolated into the string, and a string that is exactly one placeholder (`"{{body}}"`) is
 * replaced by the value itself, keeping its JSON type.
 */
export const N8nResponse = z.discriminatedUnion('type', [
  /** Answer JSON (status 200 unless `status` is set). */
  z.object({ type: z.literal('json'), body: z.unknown(), ...common }).strict(),
  /** Answer the request body back as JSON. */
  z.object({ type: z.literal('echo'), ...common }).strict(),
  /** Answer a plain-text (or any `contentType`) body. */
  z
    .object({ type: z.literal('text'), body: z.string(), contentType: z.string().optional(), ...common })
    .strict(),
  /**
   * The workflow fails: 500 `{"message":"Error in workflow"}` unless `status`/`body` say otherwise
   * (e.g. 429 with a `Retry-After` header). The execution is recorded with status `error`.
   */
  z
    .object({
      type: z.literal('fail'),
      body: z.unknown().optional(),
      /** The workflow's own error message, as n8n records it on the execution (not in the answer). */
      error: z.string().optional(),
      ...common,
    })
    .strict(),
  /** Destroy the socket without an answer (a connection reset for the caller). */
  z.object({ type: z.literal('drop'), delayMs: z.number().int().min(0).optional() }).strict(),
  /** Never answer; the request stays open until the caller gives up (a timeout). */
  z.object({ type: z.literal('hang') }).strict(),
  /** `Content-Type: application/json` with a body that is not valid JSON. */
  z.object({ type: z.literal('invalidJson'), ...common }).strict(),
  /** A valid JSON body of exactly `bytes` bytes. */
  z.object({ type: z.literal('oversized'), bytes: z.number().int().min(16), ...common }).strict(),
  /** The workflow produces no data: what n8n answers then depends on the response mode. */
  z.object({ type: z.literal('noData'), ...common }).strict(),
]);
export type N8nResponse = z.infer<typeof N8nResponse>;

export const N8nScriptStep = z
  .object({
    /** How many consecutive calls this step answers. */
    times: z.number().int().min(1).default(1),
    respond: N8nResponse,
  })
  .strict();
export type N8nScriptStep = z.infer<typeof N8nScriptStep>;

/**
 * Calls are counted per workflow (only calls that passed webhook auth). The steps in `first`
 * answer calls in order, each for `times` calls; every later call gets `otherwise`.
 * Example, time out once then succeed:
 * `{ first: [{ respond: { type: 'hang' } }], otherwise: { type: 'json', body: { ok: true } } }`.
 */
export const N8nWorkflowScript = z
  .object({
    first: z.array(N8nScriptStep).default([]),
    otherwise: N8nResponse.default({ type: 'json', body: { ok: true } }),
  })
  .strict();
export type N8nWorkflowScript = z.infer<typeof N8nWorkflowScript>;
export type N8nWorkflowScriptInput = z.input<typeof N8nWorkflowScript>;

/** Webhook node authentication, with the credential values it checks. */
export const N8nWebhookAuth = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }).strict(),
  /** `headerAuth`: the request must carry header `name` with exactly `value`. */
  z.object({ type: z.literal('header'), name: z.string().min(1), value: z.string().min(1) }).strict(),
  /** `basicAuth`: HTTP Basic with this user and password. */
  z.object({ type: z.literal('basic'), user: z.string().min(1), password: z.string().min(1) }).strict(),
  /** `jwtAuth` with a passphrase: `Authorization: Bearer <HS256/384/512 JWT>`. */
  z
    .object({
      type: z.literal('jwt'),
      secret: z.string().min(1),
      algorithm: z.enum(['HS256', 'HS384', 'HS512']).default('HS256'),
    })
    .strict(),
]);
export type N8nWebhookAuth = z.infer<typeof N8nWebhookAuth>;

export const N8nHttpMethod = z.enum(['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT']);
export type N8nHttpMethod = z.infer<typeof N8nHttpMethod>;

/**
 * A scripted webhook workflow, as `installWorkflow` takes it: one Webhook node (plus a Respond to
 * Webhook node in `responseNode` mode) whose run produces what `script` says.
 */
export const N8nWorkflowSpec = z
  .object({
    name: z.string().min(1).optional(),
    /** Webhook path, without `/webhook/`; leading and trailing slashes are trimmed. */
    path: z.string().min(1),
    method: N8nHttpMethod.default('POST'),
    auth: N8nWebhookAuth.default({ type: 'none' }),
    responseMode: z.enum(['onReceived', 'lastNode', 'responseNode']).default('responseNode'),
    /** The node's configured response code (used by `onReceived` and when a response has no status). */
    responseCode: z.number().int().min(100).max(599).default(200),
    script: N8nWorkflowScript.default({ first: [], otherwise: { type: 'json', body: { ok: true } } }),
    active: z.boolean().default(true),
    tags: z.array(z.string()).default([]),
  })
  .strict();
export type N8nWorkflowSpec = z.infer<typeof N8nWorkflowSpec>;
export type N8nWorkflowSpecInput = z.input<typeof N8nWorkflowSpec>;
