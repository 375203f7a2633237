import { createHash } from 'node:crypto';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { firstJsonProblem, type JsonProblem, MAX_JSON_DEPTH } from '../lib/safe-json.js';
import type { GatewayTool, ValidationIssue } from './types.js';

type Compiled = { ok: true; validate: ValidateFunction; schema: object } | { ok: false; error: string };

export type ValidationResult =
  | { ok: true }
  | { ok: false; kind: 'invalid'; issues: ValidationIssue[] }
  | { ok: false; kind: 'schema_invalid'; error: string };

function issueOf(error: ErrorObject): ValidationIssue {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') {
    return { path: `${error.instancePath}/${String(params.missingProperty)}`, message: 'is required' };
  }
  if (error.keyword === 'additionalProperties') {
    return {
      path: `${error.instancePath}/${String(params.additionalProperty)}`,
      message: 'is not an allowed field',
    };
  }
  return { path: error.instancePath, message: error.message ?? 'is invalid' };
}

function describe(problem: JsonProblem): string {
  return problem.kind === 'depth'
    ? `is nested deeper than ${MAX_JSON_DEPTH} levels`
    : 'must not contain NUL or unpaired surrogate characters';
}

/**
 * Compiles each tool's input and output schema once per schema version (tool id + content hash) and
 * keeps the most recently used ones. JSON Schema 2020-12, every error collected.
 */
export class SchemaValidator {
  private readonly ajv = addFormats.default(new Ajv2020({ allErrors: true, strict: false }));
  private readonly cache = new Map<string, Compiled>();

  constructor(private readonly maxEntries = 1000) {}

  validateArguments(tool: GatewayTool, value: unknown): ValidationResult {
    return this.check(`${tool.id}:in`, tool.inputSchema, value);
  }

  /** Passes when the tool declares no output schema. */
  validateOutput(tool: GatewayTool, value: unknown): ValidationResult {
    return tool.outputSchema ? this.check(`${tool.id}:out`, tool.outputSchema, value) : { ok: true };
  }

  get size(): number {
    return this.cache.size;
  }

  private check(slot: string, schema: Record<string, unknown>, value: unknown): ValidationResult {
    // Checked before Ajv sees either: hostile nesting would overflow its recursive compile and validate.
    const schemaProblem = firstJsonProblem(schema);
    if (schemaProblem) {
      return { ok: false, kind: 'schema_invalid', error: `schema ${describe(schemaProblem)}` };
    }
    const valueProblem = firstJsonProblem(value);
    if (valueProblem) {
      return {
        ok: false,
        kind: 'invalid',
        issues: [{ path: valueProblem.path, message: describe(valueProblem) }],
      };
    }
    const compiled = this.compiled(slot, schema);
    if (!compiled.ok) return { ok: false, kind: 'schema_invalid', error: compiled.error };
    if (compiled.validate(value)) return { ok: true };
    return { ok: false, kind: 'invalid', issues: (compiled.validate.errors ?? []).map(issueOf) };
  }

  private compiled(slot: string, schema: Record<string, unknown>): Compiled {
    const key = `${slot}:${createHash('sha256').update(JSON.stringify(schema)).digest('base64url')}`;
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    // Tool authors paste schemas with their own `$schema`/`$id`; a foreign draft URI or an `$id` two
    // tools share would make the shared Ajv instance refuse to compile.
    const { $schema: _dialect, $id: _id, ...own } = schema;
    let compiled: Compiled;
    try {
      compiled = { ok: true, validate: this.ajv.compile(own), schema: own };
    } catch (err) {
      compiled = { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    this.cache.set(key, compiled);
    if (this.cache.size > this.maxEntries) {
      const [oldestKey, oldest] = this.cache.entries().next().value ?? [];
      if (oldestKey !== undefined) this.cache.delete(oldestKey);
      if (oldest?.ok) this.ajv.removeSchema(oldest.schema);
    }
    return compiled;
  }
}
