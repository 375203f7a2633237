import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { firstJsonProblem, MAX_JSON_DEPTH } from '../../lib/safe-json.js';
import type { FieldIssue } from '../field-issues.js';
import { pointerToField } from '../field-issues.js';

const DRAFT_2020_12 = 'https://json-schema.org/draft/2020-12/schema';
const MAX_SCHEMA_BYTES = 64 * 1024;

// Strict: an unknown keyword ("propertes") is a mistake the LLM and the gateway would silently ignore.
const ajv = addFormats.default(
  new Ajv2020.default({ strict: true, strictTypes: false, strictTuples: false, allErrors: true }),
);

/**
 * Problems with `schema` as a JSON Schema draft 2020-12 document, each naming its place under
 * `field` (`inputSchema.properties.date.type`). With `objectRoot`, the root must describe an object:
 * tool arguments are always one JSON object.
 */
export function checkJsonSchema(
  field: string,
  schema: unknown,
  options: { objectRoot: boolean },
): FieldIssue[] {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    return [{ field, message: 'must be a JSON Schema object' }];
  }
  const document = schema as Record<string, unknown>;
  if (JSON.stringify(document).length > MAX_SCHEMA_BYTES) {
    return [{ field, message: `must be at most ${MAX_SCHEMA_BYTES / 1024} KiB` }];
  }
  const problem = firstJsonProblem(document);
  if (problem) {
    return [
      {
        field: pointerToField(problem.path, field),
        message:
          problem.kind === 'depth'
            ? `is nested deeper than ${MAX_JSON_DEPTH} levels`
            : 'must not contain NUL or unpaired surrogate characters',
      },
    ];
  }
  if (
    document.$schema !== undefined &&
    document.$schema !== DRAFT_2020_12 &&
    document.$schema !== `${DRAFT_2020_12}#`
  ) {
    return [{ field: `${field}.$schema`, message: `must be ${DRAFT_2020_12} (or omitted)` }];
  }
  if (!ajv.validateSchema(document)) {
    return (ajv.errors ?? []).map((e) => ({
      field: pointerToField(e.instancePath, field),
      message: e.message ?? 'is invalid',
    }));
  }
  try {
    ajv.compile(document);
  } catch (err) {
    return [{ field, message: (err as Error).message.split('\n')[0] ?? 'does not compile' }];
  } finally {
    ajv.removeSchema(document);
  }
  if (options.objectRoot && document.type !== 'object') {
    return [{ field: `${field}.type`, message: 'must be "object": tool arguments are one JSON object' }];
  }
  return [];
}
