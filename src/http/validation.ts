import Ajv, { type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

const base: Options = { allErrors: true, removeAdditional: false, useDefaults: true, strict: false };

// Bodies are JSON and must already have the right types: "5" for a number is an error, not a 5.
// Query strings and path params are text by nature, so they are coerced.
const bodyAjv = addFormats.default(new Ajv.default({ ...base, coerceTypes: false }));
const textAjv = addFormats.default(new Ajv.default({ ...base, coerceTypes: 'array' }));

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? bodyAjv : textAjv).compile(schema as object);
