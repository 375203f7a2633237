import { describe, expect, it } from 'vitest';
import { ToolSchemaCompiler } from '../lib/tool-json-schema.js';
import { analysisSchema, isStrictCompatible } from './analyse-call.js';
import { DEMO_ANALYSIS } from './demo-analysis.js';

describe('the analysis answer schema', () => {
  it('wraps the agent fields with summary and verdict, and compiles', () => {
    const schema = analysisSchema(DEMO_ANALYSIS.dataSchema);
    expect((schema.properties as Record<string, unknown>).data).toBe(DEMO_ANALYSIS.dataSchema);
    const compiled = new ToolSchemaCompiler().compile(schema);
    expect(compiled.ok).toBe(true);
    if (!compiled.ok) return;
    const answer = {
      summary: 's',
      data: { patient_name: 'A', requested_date: 'Tuesday', reason: 'r' },
      success: true,
      success_reason: 'r',
    };
    expect(compiled.value(answer)).toBe(true);
    expect(compiled.value({ ...answer, data: {} })).toBe(false);
  });

  it('asks for strict mode only when every object is closed and fully required', () => {
    expect(isStrictCompatible(analysisSchema(DEMO_ANALYSIS.dataSchema))).toBe(true);
    expect(isStrictCompatible(analysisSchema(undefined))).toBe(true);
    expect(
      isStrictCompatible(analysisSchema({ type: 'object', properties: { a: { type: 'string' } } })),
    ).toBe(false);
    expect(
      isStrictCompatible(
        analysisSchema({
          type: 'object',
          properties: { a: { type: 'string' } },
          required: [],
          additionalProperties: false,
        }),
      ),
    ).toBe(false);
  });
});
