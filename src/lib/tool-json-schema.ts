import type { ErrorObject, ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { err, ok, type Result } from './result.js';

/**
 * The one JSON Schema compiler for tool input and output schemas: the control plane checks a schema
 * with it when a tool is saved and the gateway validates arguments and results with it at call time,
 * so a schema is held to the same rules in both places. Draft 2020-12, formats, every error
 * collected; strict, so an unknown keyword ("propertes") is refused instead of silently ignored.
 */
export const TOOL_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

export type CompiledToolSchema = Result<ValidateFunction, string>;

export class ToolSchemaCompiler {
  private readonly ajv = addFormats.default(
    new Ajv2020({ strict: true, strictTypes: false, strictTuples: false, allErrors: true }),
  );

  /** Where `schema` breaks the draft 2020-12 meta-schema (JSON pointers into it); empty when it does not. */
  metaSchemaErrors(schema: object): ErrorObject[] {
    return this.ajv.validateSchema(schema) ? [] : [...(this.ajv.errors ?? [])];
  }

  /**
   * Compiles `schema` without registering it: its own `$schema` and `$id` are dropped (a pasted
   * draft URI or an `$id` two tools share would otherwise clash in the shared instance).
   */
  compile(schema: Record<string, unknown>): CompiledToolSchema {
    const { $schema: _dialect, $id: _id, ...own } = schema;
    try {
      const validate = this.ajv.compile(own);
      this.ajv.removeSchema(own);
      return ok(validate);
    } catch (problem) {
      this.ajv.removeSchema(own);
      return err(
        (problem instanceof Error ? problem.message : String(problem)).split('\n')[0] ?? 'does not compile',
      );
    }
  }
}
