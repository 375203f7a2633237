import { type Static, Type } from 'typebox';

const Secret = Type.String({ minLength: 1, maxLength: 4096 });
/** HTTP header name (RFC 9110 token). */
const HeaderName = Type.String({ pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$" });

/** Webhook authentication as sent by a client; on update a secret may be omitted to keep the stored one. */
export const WebhookAuthInput = Type.Union([
  Type.Object({ kind: Type.Literal('none') }, { additionalProperties: false }),
  Type.Object(
    { kind: Type.Literal('header'), name: HeaderName, value: Type.Optional(Secret) },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('basic'),
      username: Type.String({ minLength: 1, maxLength: 200, pattern: '^[^:]*$' }),
      password: Type.Optional(Secret),
    },
    { additionalProperties: false },
  ),
]);
export type WebhookAuthInput = Static<typeof WebhookAuthInput>;

const BaseUrl = Type.String({
  minLength: 1,
  maxLength: 2000,
  description: 'n8n base URL, e.g. https://acme.app.n8n.cloud (a trailing /api/v1 is dropped)',
});
const Name = Type.String({ minLength: 1, maxLength: 120 });

export const CreateN8nConnectionInput = Type.Object(
  {
    name: Name,
    baseUrl: BaseUrl,
    apiKey: Type.Optional(Secret),
    webhookAuth: Type.Optional(WebhookAuthInput),
  },
  { additionalProperties: false },
);
export type CreateN8nConnectionInput = Static<typeof CreateN8nConnectionInput>;

export const UpdateN8nConnectionInput = Type.Object(
  {
    name: Type.Optional(Name),
    baseUrl: Type.Optional(BaseUrl),
    apiKey: Type.Optional(
      Type.Union([Secret, Type.Null()], { description: 'a new key rotates it; null removes it' }),
    ),
    webhookAuth: Type.Optional(WebhookAuthInput),
  },
  { additionalProperties: false },
);
export type UpdateN8nConnectionInput = Static<typeof UpdateN8nConnectionInput>;

export const SecretState = Type.Object(
  { set: Type.Boolean(), last4: Type.Union([Type.String(), Type.Null()]) },
  { additionalProperties: false },
);
export type SecretState = Static<typeof SecretState>;

/** Webhook authentication as the API shows it: never the secret, only whether it is set. */
export const WebhookAuthView = Type.Union([
  Type.Object({ kind: Type.Literal('none') }, { additionalProperties: false }),
  Type.Object(
    { kind: Type.Literal('header'), name: Type.String(), value: SecretState },
    { additionalProperties: false },
  ),
  Type.Object(
    { kind: Type.Literal('basic'), username: Type.String(), password: SecretState },
    { additionalProperties: false },
  ),
]);
export type WebhookAuthView = Static<typeof WebhookAuthView>;

export const ConnectionTestStatus = Type.Union([
  Type.Literal('ok'),
  Type.Literal('bad_key'),
  Type.Literal('unreachable'),
  Type.Literal('not_n8n'),
  Type.Literal('blocked'),
]);

export const ConnectionTestResult = Type.Object(
  {
    status: ConnectionTestStatus,
    message: Type.String(),
    httpStatus: Type.Union([Type.Integer(), Type.Null()]),
    latencyMs: Type.Integer(),
  },
  { additionalProperties: false },
);
export type ConnectionTestResult = Static<typeof ConnectionTestResult>;

export const N8nWorkflowSummary = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    active: Type.Boolean(),
    tags: Type.Array(Type.String()),
    updatedAt: Type.Union([Type.String(), Type.Null()]),
    webhooks: Type.Array(
      Type.Object(
        { method: Type.String(), path: Type.String(), productionUrl: Type.String() },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type N8nWorkflowSummary = Static<typeof N8nWorkflowSummary>;
