import type { ValidateFunction } from 'ajv/dist/2020.js';

/** The precompiled validator of schema/x-dynamodb.schema.json (see scripts/compile-schema.ts). */
export declare const validateSection: ValidateFunction;

/** Where x-dynamodb forbids unnamed keys, the keys it allows: an instance path pattern (`*` any key, `#` any index). */
export declare const allowedKeys: readonly (readonly [readonly string[], readonly string[]])[];
