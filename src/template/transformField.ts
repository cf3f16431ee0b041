import { isRecord, put } from './json.js';

export const MACRO_NAME = 'ComposeXDynamoDB';

/**
 * Takes this macro out of a template's `Transform` (a name, a list, or `{Name, Parameters}` entries) and keeps
 * every other transform, as CloudFormation does before it calls the macro. Returns the macro's parameters.
 */
export function withoutMacro(
  template: Record<string, unknown>,
  macroName = MACRO_NAME,
): { template: Record<string, unknown>; parameters: unknown; found: boolean } {
  const field = template.Transform;
  if (field === undefined) return { template, parameters: undefined, found: false };
  const entries = Array.isArray(field) ? field : [field];
  let parameters: unknown;
  let found = false;
  const rest = entries.filter((entry) => {
    const name = isRecord(entry) ? entry.Name : entry;
    if (name !== macroName) return true;
    found = true;
    if (isRecord(entry)) parameters = entry.Parameters;
    return false;
  });
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(template)) {
    if (key !== 'Transform') put(out, key, value);
    else if (rest.length === 1 && !Array.isArray(field)) out[key] = rest[0];
    else if (rest.length > 0) out[key] = rest;
  }
  return { template: out, parameters, found };
}
