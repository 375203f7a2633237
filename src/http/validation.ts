import Ajv, { type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { isRealDateTime } from '../lib/dates.js';
import { firstJsonProblem, MAX_JSON_DEPTH } from '../lib/safe-json.js';

const base: Options = { allErrors: true, removeAdditional: false, useDefaults: true, strict: false };

/** Largest value of a PostgreSQL `integer`: every integer input stays within what a column can hold. */
export const INT32_MAX = 2 ** 31 - 1;

function makeAjv(options: Options): Ajv.default {
  const ajv = addFormats.default(new Ajv.default(options));
  // Dates go through a real calendar: no 23:59:60, no year 0000, no 30 February.
  ajv.addFormat('date-time', { type: 'string', validate: isRealDateTime });
  ajv.addFormat('date', { type: 'string', validate: (s: string) => isRealDateTime(`${s}T00:00:00Z`) });
  ajv.addKeyword({
    keyword: 'safeText',
    type: 'string',
    schemaType: 'boolean',
    error: { message: 'must not contain NUL or unpaired surrogate characters' },
    validate: (enabled: boolean, data: string) => !enabled || firstJsonProblem(data) === undefined,
  });
  return ajv;
}

// Bodies are JSON and must already have the right types: "5" for a number is an error, not a 5.
// Query strings and path params are text by nature, so they are coerced.
const bodyAjv = makeAjv({ ...base, coerceTypes: false });
const textAjv = makeAjv({ ...base, coerceTypes: 'array' });

type Schema = Record<string, unknown>;
const SUBSCHEMA_LISTS = ['anyOf', 'oneOf', 'allOf', 'prefixItems'] as const;
const SUBSCHEMAS = ['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains'] as const;
const SCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'definitions'] as const;

function hasType(schema: Schema, type: string): boolean {
  return schema.type === type || (Array.isArray(schema.type) && schema.type.includes(type));
}

/**
 * The input rules every route gets whatever its schema says: every string is SafeText (no NUL, no
 * unpaired surrogate: PostgreSQL refuses both), every number fits an `integer` column, and numbers in
 * paths and query strings are not negative. Returns a hardened copy; route schemas stay as written.
 */
export function hardenSchema(schema: unknown, part: string | undefined): unknown {
  if (Array.isArray(schema)) return schema.map((s) => hardenSchema(s, part));
  if (!schema || typeof schema !== 'object') return schema;
  const out: Schema = { ...(schema as Schema) };
  if (hasType(out, 'string') && out.safeText === undefined) out.safeText = true;
  if (hasType(out, 'integer') || hasType(out, 'number')) {
    if (out.maximum === undefined && out.exclusiveMaximum === undefined) out.maximum = INT32_MAX;
    if (part !== 'body' && out.minimum === undefined && out.exclusiveMinimum === undefined) out.minimum = 0;
  }
  for (const key of SUBSCHEMA_LISTS) if (Array.isArray(out[key])) out[key] = hardenSchema(out[key], part);
  for (const key of SUBSCHEMAS) {
    if (out[key] && typeof out[key] === 'object') out[key] = hardenSchema(out[key], part);
  }
  for (const key of SCHEMA_MAPS) {
    const map = out[key];
    if (map && typeof map === 'object') {
      out[key] = Object.fromEntries(Object.entries(map).map(([k, v]) => [k, hardenSchema(v, part)]));
    }
  }
  return out;
}

/**
 * Compiles a route schema with the hardening above, then also walks the whole value: free-form JSON
 * (tool arguments, JSON schemas) has no string schema to carry the rule, and is bounded in depth.
 */
export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const validate: ValidateFunction = (httpPart === 'body' ? bodyAjv : textAjv).compile(
    hardenSchema(schema, httpPart) as object,
  );
  const checked = (data: unknown) => {
    const problem = firstJsonProblem(data);
    if (problem) {
      const error: ErrorObject = {
        instancePath: problem.path,
        schemaPath: '#',
        keyword: problem.kind === 'depth' ? 'maxDepth' : 'safeText',
        params: {},
        message:
          problem.kind === 'depth'
            ? `is nested deeper than ${MAX_JSON_DEPTH} levels`
            : 'must not contain NUL or unpaired surrogate characters',
      };
      checked.errors = [error];
      return false;
    }
    const ok = validate(data);
    checked.errors = validate.errors;
    return ok;
  };
  checked.errors = null as ErrorObject[] | null | undefined;
  return checked;
};
