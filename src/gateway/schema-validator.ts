import { createHash } from 'node:crypto';
import type { ErrorObject } from 'ajv';
import { firstJsonProblem, type JsonProblem, MAX_JSON_DEPTH } from '../lib/safe-json.js';
import { type CompiledToolSchema, ToolSchemaCompiler } from '../lib/tool-json-schema.js';
import type { GatewayTool, ValidationIssue } from './types.js';

type Compiled = CompiledToolSchema;

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
 * keeps the most recently used ones, with the compiler the control plane checks schemas with on save
 * (`lib/tool-json-schema.ts`): the same strictness at save and at call.
 */
export class SchemaValidator {
  private readonly compiler = new ToolSchemaCompiler();
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
    if (compiled.value(value)) return { ok: true };
    return { ok: false, kind: 'invalid', issues: (compiled.value.errors ?? []).map(issueOf) };
  }

  private compiled(slot: string, schema: Record<string, unknown>): Compiled {
    const key = `${slot}:${createHash('sha256').update(JSON.stringify(schema)).digest('base64url')}`;
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const compiled = this.compiler.compile(schema);
    this.cache.set(key, compiled);
    if (this.cache.size > this.maxEntries) {
      const oldestKey = this.cache.keys().next().value;
      if (oldestKey !== undefined) this.cache.delete(oldestKey);
    }
    return compiled;
  }
}
