import { isRecord } from './json.js';

/** The names a template defines, read once; stages ask it instead of walking the template again. */
export interface TemplateView {
  readonly resources: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  readonly parameters: ReadonlySet<string>;
  /** Parameters with `NoEcho`: their values never appear in the output, in a logical ID or in a message. */
  readonly noEcho: ReadonlySet<string>;
  readonly conditions: ReadonlySet<string>;
  readonly outputs: ReadonlySet<string>;
  /** A resource, parameter or pseudo parameter (`AWS::Region`, ...): something a `Ref` may name. */
  isDefined(name: string): boolean;
}

function keysOf(value: unknown): string[] {
  return isRecord(value) ? Object.keys(value) : [];
}

export function viewTemplate(template: Record<string, unknown>): TemplateView {
  const resources = new Map<string, Record<string, unknown>>();
  if (isRecord(template.Resources)) {
    for (const [id, resource] of Object.entries(template.Resources)) {
      if (isRecord(resource)) resources.set(id, resource);
    }
  }
  const parameters = new Set(keysOf(template.Parameters));
  return {
    resources,
    parameters,
    noEcho: noEchoParameters(template.Parameters),
    conditions: new Set(keysOf(template.Conditions)),
    outputs: new Set(keysOf(template.Outputs)),
    isDefined: (name) => resources.has(name) || parameters.has(name) || name.startsWith('AWS::'),
  };
}

/** The parameters with `NoEcho: true` (or "true", any case). */
function noEchoParameters(parameters: unknown): Set<string> {
  const noEcho = new Set<string>();
  if (!isRecord(parameters)) return noEcho;
  for (const [name, parameter] of Object.entries(parameters)) {
    const flag = isRecord(parameter) ? parameter.NoEcho : undefined;
    if (flag === true || (typeof flag === 'string' && flag.toLowerCase() === 'true')) noEcho.add(name);
  }
  return noEcho;
}
