import { describe, expect, it } from 'vitest';
import { SchemaValidator } from './schema-validator.js';
import type { GatewayTool } from './types.js';

const tool = (inputSchema: Record<string, unknown>, outputSchema: Record<string, unknown> | null = null) =>
  ({
    id: 'tool_1',
    name: 'lookup',
    description: '',
    inputSchema,
    outputSchema,
    connectionId: null,
    webhookPath: null,
    workflowId: null,
    timeoutMs: 1000,
    retry: { maxAttempts: 1, backoffMs: 0 },
    idempotent: false,
  }) satisfies GatewayTool;

describe('SchemaValidator', () => {
  it('collects every error with a JSON pointer', () => {
    const validator = new SchemaValidator();
    const schema = {
      type: 'object',
      properties: { email: { type: 'string', format: 'email' }, n: { type: 'integer' } },
      required: ['email', 'n'],
      additionalProperties: false,
    };
    expect(validator.validateArguments(tool(schema), { email: 'nope', extra: 1 })).toEqual({
      ok: false,
      kind: 'invalid',
      issues: [
        { path: '/n', message: 'is required' },
        { path: '/extra', message: 'is not an allowed field' },
        { path: '/email', message: 'must match format "email"' },
      ],
    });
    expect(validator.validateArguments(tool(schema), { email: 'a@b.co', n: 1 })).toEqual({ ok: true });
  });

  it('compiles once per schema version and recompiles when the schema changes', () => {
    const validator = new SchemaValidator();
    const v1 = { type: 'object', properties: { a: { type: 'string' } } };
    validator.validateArguments(tool(v1), { a: 'x' });
    validator.validateArguments(tool({ ...v1 }), { a: 'y' });
    expect(validator.size).toBe(1);
    const v2 = { type: 'object', properties: { a: { type: 'number' } } };
    expect(validator.validateArguments(tool(v2), { a: 'x' }).ok).toBe(false);
    expect(validator.size).toBe(2);
  });

  it('evicts the least recently used beyond its capacity', () => {
    const validator = new SchemaValidator(2);
    for (const max of [1, 2, 3]) validator.validateArguments(tool({ type: 'integer', maximum: max }), 1);
    expect(validator.size).toBe(2);
  });

  it('accepts schemas that carry their own $schema and a shared $id', () => {
    const validator = new SchemaValidator();
    const schema = { $schema: 'http://json-schema.org/draft-07/schema#', $id: 'same', type: 'string' };
    expect(validator.validateArguments(tool(schema), 'ok')).toEqual({ ok: true });
    expect(validator.validateArguments({ ...tool({ ...schema, minLength: 5 }), id: 'tool_2' }, 'ok').ok).toBe(
      false,
    );
  });

  it('reports a schema that does not compile instead of throwing', () => {
    const validator = new SchemaValidator();
    const result = validator.validateArguments(tool({ type: 'object', required: 'name' }), {});
    expect(result).toMatchObject({ ok: false, kind: 'schema_invalid' });
  });

  it('passes any output when the tool has no output schema', () => {
    const validator = new SchemaValidator();
    expect(validator.validateOutput(tool({}), 'anything')).toEqual({ ok: true });
    expect(validator.validateOutput(tool({}, { type: 'object' }), 'text').ok).toBe(false);
  });

  it('refuses arguments nested 10,000 deep and schemas nested 3,000 deep without overflowing the stack', () => {
    const validator = new SchemaValidator();
    let args: unknown = 'leaf';
    for (let i = 0; i < 10_000; i++) args = { a: args };
    const deepArgs = validator.validateArguments(tool({ type: 'object' }), args);
    expect(deepArgs).toMatchObject({ ok: false, kind: 'invalid' });
    let schema: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 3000; i++) schema = { type: 'object', properties: { a: schema } };
    expect(validator.validateArguments(tool(schema), {})).toMatchObject({
      ok: false,
      kind: 'schema_invalid',
    });
  });

  it('refuses arguments holding NUL or an unpaired surrogate', () => {
    const validator = new SchemaValidator();
    for (const bad of ['a\u0000b', 'x\ud800', { 'k\u0000': 1 }]) {
      expect(validator.validateArguments(tool({}), { v: bad })).toMatchObject({ ok: false, kind: 'invalid' });
    }
    expect(validator.validateArguments(tool({}), { v: 'emoji 😀 ok' })).toEqual({ ok: true });
  });
});
