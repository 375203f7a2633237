import { type TSchema, Type } from 'typebox';

/** `T | null`, the one way a nullable field is declared in API and domain schemas. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
