/**
 * JSON Schema checks in the browser without `eval` (the page's CSP has no `unsafe-eval`):
 * @cfworker/json-schema interprets schemas instead of compiling them to code. It checks the tool
 * editor's schema against the draft 2020-12 meta-schema and validates the "test tool" form for RJSF.
 */
import { type OutputUnit, Validator } from '@cfworker/json-schema';
import {
  type CustomValidator,
  createErrorHandler,
  type ErrorTransformer,
  type RJSFSchema,
  type RJSFValidationError,
  toErrorSchema,
  type UiSchema,
  unwrapErrorHandler,
  type ValidationData,
  type ValidatorType,
  validationDataMerge,
} from '@rjsf/utils';
import applicator from 'ajv/dist/refs/json-schema-2020-12/meta/applicator.json';
import content from 'ajv/dist/refs/json-schema-2020-12/meta/content.json';
import core from 'ajv/dist/refs/json-schema-2020-12/meta/core.json';
import formatAnnotation from 'ajv/dist/refs/json-schema-2020-12/meta/format-annotation.json';
import metaData from 'ajv/dist/refs/json-schema-2020-12/meta/meta-data.json';
import unevaluated from 'ajv/dist/refs/json-schema-2020-12/meta/unevaluated.json';
import validation from 'ajv/dist/refs/json-schema-2020-12/meta/validation.json';
import metaSchema from 'ajv/dist/refs/json-schema-2020-12/schema.json';

type Json = Record<string, unknown>;

const META_SCHEMA_ID = 'https://json-schema.org/draft/2020-12/schema';

/**
 * The vocabularies point back at "the meta-schema in use" with `$dynamicRef: "#meta"`, which the
 * validator does not follow into nested subschemas; for plain 2020-12 schemas that is always the
 * 2020-12 meta-schema itself, so it becomes a static `$ref` to it.
 */
function staticMetaRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(staticMetaRefs);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) =>
      key === '$dynamicRef' && value === '#meta' ? ['$ref', META_SCHEMA_ID] : [key, staticMetaRefs(value)],
    ),
  );
}

const metaValidator = new Validator(staticMetaRefs(metaSchema) as Json, '2020-12', false);
for (const vocabulary of [applicator, content, core, formatAnnotation, metaData, unevaluated, validation]) {
  metaValidator.addSchema(staticMetaRefs(vocabulary) as Json);
}

/** Keywords whose failure only says "something below failed"; the failure below is reported. */
const WRAPPERS = new Set([
  'properties',
  'patternProperties',
  'items',
  'prefixItems',
  'allOf',
  '$ref',
  '$dynamicRef',
  'dependentSchemas',
  'if',
  'then',
  'else',
  'unevaluatedProperties',
  'unevaluatedItems',
]);

const leaves = (errors: OutputUnit[]) => errors.filter((e) => !WRAPPERS.has(e.keyword));
const pointer = (location: string) => location.replace(/^#/, '');

/** The first problem of a schema against the 2020-12 meta-schema, in words; undefined when it is valid. */
export function schemaProblem(schema: Json): string | undefined {
  const result = metaValidator.validate(schema);
  if (result.valid) return undefined;
  // The most specific failure: the deepest one that is not only "something below failed".
  const vague = new Set(['additionalProperties', 'anyOf', 'oneOf', 'not', 'false']);
  const candidates = leaves(result.errors).filter((e) => !vague.has(e.keyword));
  const first = (candidates.length ? candidates : result.errors).reduce((a, b) =>
    b.instanceLocation.length > a.instanceLocation.length ? b : a,
  );
  return `${pointer(first.instanceLocation) || '(root)'}: ${first.error}`;
}

function toRjsfError(e: OutputUnit): RJSFValidationError {
  const path = pointer(e.instanceLocation);
  let property = path.replace(/\//g, '.');
  const params: Record<string, unknown> = {};
  let message = e.error.replace(/^Instance /, '').replace(/\.$/, '');
  if (e.keyword === 'required') {
    const missing = /"([^"]+)"/.exec(e.error)?.[1];
    if (missing) {
      params.missingProperty = missing;
      property = `${property}.${missing}`;
      message = 'is a required property';
    }
  }
  return {
    name: e.keyword,
    property,
    message,
    params,
    stack: `${property} ${message}`.trim(),
    schemaPath: pointer(e.keywordLocation),
  };
}

/** RJSF's validator interface over @cfworker/json-schema. */
class InterpretingValidator implements ValidatorType {
  rawValidation<Result = RJSFValidationError>(schema: RJSFSchema, formData?: unknown) {
    try {
      const result = new Validator(schema as Json, '2020-12', false).validate(formData ?? {});
      return { errors: result.valid ? undefined : (leaves(result.errors).map(toRjsfError) as Result[]) };
    } catch (err) {
      return { validationError: err as Error };
    }
  }

  validateFormData(
    formData: unknown,
    schema: RJSFSchema,
    customValidate?: CustomValidator,
    transformErrors?: ErrorTransformer,
    uiSchema?: UiSchema,
  ): ValidationData<unknown> {
    const raw = this.rawValidation(schema, formData);
    if (raw.validationError) {
      const message = `the form's schema is invalid: ${raw.validationError.message}`;
      return { errors: [{ stack: message, message }], errorSchema: { __errors: [message] } };
    }
    let errors = raw.errors ?? [];
    if (transformErrors) errors = transformErrors(errors, uiSchema);
    const data = { errors, errorSchema: toErrorSchema(errors) };
    if (!customValidate) return data;
    const custom = customValidate(formData, createErrorHandler(formData), uiSchema);
    return validationDataMerge(data, unwrapErrorHandler(custom));
  }

  isValid(schema: RJSFSchema, formData: unknown, rootSchema: RJSFSchema): boolean {
    try {
      const withRoot = { ...schema, $defs: rootSchema.$defs, definitions: rootSchema.definitions };
      return new Validator(withRoot as Json, '2020-12', true).validate(formData).valid;
    } catch {
      return false;
    }
  }
}

export const formValidator: ValidatorType = new InterpretingValidator();
