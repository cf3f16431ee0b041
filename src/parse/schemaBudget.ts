/**
 * How many errors one run of the generated validator may make. Ajv with `allErrors` makes one error object (or
 * more) for every wrong value, and a 6 MB request can hold a million wrong values: a million errors took 18 s and
 * 800 MB and then overflowed the stack. The generated code calls `spendSchemaError` after each error it makes
 * (scripts/sectionSchema.ts puts the call there); past the budget it stops the run by throwing `SCHEMA_BUDGET_SPENT`,
 * which `runWithSchemaBudget` catches at once: the only exception in the parse stage, and it never leaves it.
 */
const SCHEMA_BUDGET_SPENT = Symbol('schema error budget spent');

let left = Number.POSITIVE_INFINITY;

/** Called by the generated validator for each error it makes. */
export function spendSchemaError(): void {
  left--;
  if (left < 0) throw SCHEMA_BUDGET_SPENT;
}

/**
 * Runs `validate` allowing it `budget` errors: its result, or undefined when it made more (and was stopped).
 * Anything else thrown passes on.
 */
export function runWithSchemaBudget<T>(budget: number, validate: () => T): T | undefined {
  left = budget;
  try {
    return validate();
  } catch (error) {
    if (error === SCHEMA_BUDGET_SPENT) return undefined;
    throw error;
  } finally {
    left = Number.POSITIVE_INFINITY;
  }
}
