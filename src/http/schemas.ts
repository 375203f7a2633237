import { type TObject, type TProperties, type TSchema, Type } from 'typebox';
import { type IdKind, idPattern } from '../lib/ids.js';
import { Nullable } from '../lib/schema-helpers.js';

/** An object that rejects unknown fields. */
export const Strict = <T extends TProperties>(
  properties: T,
  options: { description?: string } = {},
): TObject<T> => Type.Object(properties, { additionalProperties: false, ...options });

/**
 * Text safe to store: no NUL, no unpaired surrogate (PostgreSQL refuses both). The validator compiler
 * (validation.ts) gives every string input this rule, so `Type.String` in a route is SafeText too.
 */
export const SafeText = (options: { minLength?: number; maxLength?: number; description?: string } = {}) =>
  Type.String({ ...options, safeText: true });

export const Id = (kind: IdKind) => Type.String({ pattern: idPattern(kind), description: `${kind} id` });

export const ErrorBody = Strict({
  error: Strict({
    code: Type.String(),
    message: Type.String(),
    requestId: Type.String(),
    details: Type.Optional(Type.Unknown()),
  }),
});

export const PageQuery = Strict({
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(SafeText({ maxLength: 64 })),
});

export const Page = <T extends TSchema>(item: T) =>
  Strict({ items: Type.Array(item), nextCursor: Nullable(Type.String()) });

/** A timestamp in a response: domain code hands over Dates, the serializer writes ISO 8601. */
export const Timestamp = Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' });
export const NullableTimestamp = Nullable(Timestamp);
/** A timestamp in a request body or query. */
export const TimestampInput = Type.String({ format: 'date-time' });

/** A string enum as one JSON-schema `enum` (clearer in OpenAPI than a union of literals). */
export const StringEnum = <T extends readonly string[]>(values: T, options: { description?: string } = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });

/** The error responses every authenticated route can give, for the OpenAPI document. */
export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
} as const;

export const TenantParams = Strict({ tenantId: Id('tenant') });
