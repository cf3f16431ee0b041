import type { ValidateFunction } from 'ajv/dist/2020.js';

/** The precompiled validator of schema/x-dynamodb.schema.json (see scripts/compile-schema.ts). */
export declare const validateSection: ValidateFunction;
