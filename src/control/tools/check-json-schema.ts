import { firstJsonProblem, MAX_JSON_DEPTH } from '../../lib/safe-json.js';
import { TOOL_SCHEMA_DIALECT, ToolSchemaCompiler } from '../../lib/tool-json-schema.js';
import type { FieldIssue } from '../field-issues.js';
import { pointerToField } from '../field-issues.js';

const DRAFT_2020_12 = TOOL_SCHEMA_DIALECT;
const MAX_SCHEMA_BYTES = 64 * 1024;

// The gateway's compiler: a schema accepted here compiles the same way when the tool is called.
const compiler = new ToolSchemaCompiler();

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
  const metaErrors = compiler.metaSchemaErrors(document);
  if (metaErrors.length > 0) {
    return metaErrors.map((e) => ({
      field: pointerToField(e.instancePath, field),
      message: e.message ?? 'is invalid',
    }));
  }
  const compiled = compiler.compile(document);
  if (!compiled.ok) return [{ field, message: compiled.error }];
  if (options.objectRoot && document.type !== 'object') {
    return [{ field: `${field}.type`, message: 'must be "object": tool arguments are one JSON object' }];
  }
  return [];
}
