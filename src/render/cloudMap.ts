import type { CloudMapSpec, ResolvedTable, TableSpec } from '../model.js';
import { cloudMapLogicalIds, type TableAttribute, tableLogicalId } from '../names.js';
import { joinPath, listOf, type Problem, problem, show } from '../problems.js';
import { didYouMean } from '../suggest.js';
import type { TemplateView } from '../template/view.js';

const NAMESPACE_TYPES = [
  'AWS::ServiceDiscovery::HttpNamespace',
  'AWS::ServiceDiscovery::PrivateDnsNamespace',
  'AWS::ServiceDiscovery::PublicDnsNamespace',
];
/** A namespace ID as Cloud Map writes them. */
const NAMESPACE_ID = /^ns-[a-z0-9]{1,64}$/;
/** A Cloud Map service name: DNS labels of letters, digits, `_` and inner `-`, 127 characters at most. */
const LABEL = '[a-zA-Z0-9_](?:[a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?';
const SERVICE_NAME = new RegExp(`^(?=.{1,127}$)${LABEL}(?:\\.${LABEL})*$`);

/**
 * The Cloud Map service and instance that register a table (`Settings.x-cloudmap`), as ComposeX registers an API
 * resource: an HTTP service (discovered with DiscoverInstances, no DNS record) named after the table key, and one
 * instance whose attributes are the table's values that ReturnValues names, plus AdditionalAttributes. A looked-up
 * table is registered only with ForceRegister (or the namespace-alone form), as in ComposeX.
 */
export function cloudMapResources(
  spec: TableSpec,
  table: ResolvedTable,
  view: TemplateView,
  problems: Problem[],
): [string, Record<string, unknown>][] {
  const settings = spec.cloudMap;
  if (settings === undefined) return [];
  if (spec.kind === 'lookup' && !settings.forceRegister) return [];
  const namespaceId = resolveNamespace(
    settings.namespace,
    joinPath(settings.path, 'Namespace'),
    view,
    problems,
  );
  // Every check runs, so that all the problems are reported together.
  const conditionOk = checkNamespaceCondition(spec, settings, table, view, problems);
  const nameOk = checkServiceName(spec, problems);
  if (tableLogicalId(spec.key) === '') return [];
  const attributes = instanceAttributes(spec, settings, table, problems);
  if (namespaceId === undefined || !conditionOk || !nameOk || attributes === undefined) return [];
  return registration(spec.key, table.condition, namespaceId, attributes);
}

/** A namespace that exists under a condition serves only a table with that same condition. */
function checkNamespaceCondition(
  spec: TableSpec,
  settings: CloudMapSpec,
  table: ResolvedTable,
  view: TemplateView,
  problems: Problem[],
): boolean {
  const namespaceCondition = view.resources.get(settings.namespace)?.Condition;
  if (typeof namespaceCondition !== 'string' || namespaceCondition === table.condition) return true;
  problems.push(
    problem(
      'CLOUDMAP_INVALID',
      joinPath(settings.path, 'Namespace'),
      `namespace ${settings.namespace} exists only under the condition ${namespaceCondition}, and table ${spec.key} does not have that condition`,
    ),
  );
  return false;
}

/** The service is named after the table key, which must then be a Cloud Map service name. */
function checkServiceName(spec: TableSpec, problems: Problem[]): boolean {
  if (SERVICE_NAME.test(spec.key)) return true;
  problems.push(
    problem(
      'CLOUDMAP_INVALID',
      spec.path,
      `the key "${spec.key}" is not a Cloud Map service name (labels of letters, digits, "_" and "-", separated by dots); rename the table key to register it`,
    ),
  );
  return false;
}

/** The instance's attributes: the table's values ReturnValues names, then AdditionalAttributes. */
function instanceAttributes(
  spec: TableSpec,
  settings: CloudMapSpec,
  table: ResolvedTable,
  problems: Problem[],
): Record<string, unknown> | undefined {
  const attributes: Record<string, unknown> = {};
  let ok = true;
  for (const [attribute, name] of Object.entries(settings.returnValues) as [TableAttribute, string][]) {
    const value = table.values[attribute];
    if (value === undefined) {
      ok = false;
      problems.push(
        problem(
          'ATTRIBUTE_NOT_AVAILABLE',
          joinPath(joinPath(settings.path, 'ReturnValues'), attribute),
          `table ${spec.key} has no ${attribute}; ${table.noStreamBecause ?? 'the table has no stream'}`,
        ),
      );
      continue;
    }
    attributes[name] = value;
  }
  Object.assign(attributes, settings.additionalAttributes);
  return ok ? attributes : undefined;
}

function registration(
  key: string,
  tableCondition: string | undefined,
  namespaceId: unknown,
  attributes: Record<string, unknown>,
): [string, Record<string, unknown>][] {
  const ids = cloudMapLogicalIds(key);
  const condition = tableCondition === undefined ? {} : { Condition: tableCondition };
  return [
    [
      ids.service,
      {
        Type: 'AWS::ServiceDiscovery::Service',
        ...condition,
        Properties: {
          Name: key,
          Description: `x-dynamodb table ${key}`,
          NamespaceId: namespaceId,
          Type: 'HTTP',
        },
      },
    ],
    [
      ids.instance,
      {
        Type: 'AWS::ServiceDiscovery::Instance',
        ...condition,
        Properties: {
          InstanceId: tableLogicalId(key).slice(0, 64),
          ServiceId: { 'Fn::GetAtt': [ids.service, 'Id'] },
          InstanceAttributes: attributes,
        },
      },
    ],
  ];
}

function resolveNamespace(namespace: string, path: string, view: TemplateView, problems: Problem[]): unknown {
  const type = view.resources.get(namespace)?.Type;
  if (typeof type === 'string' && NAMESPACE_TYPES.includes(type)) return { 'Fn::GetAtt': [namespace, 'Id'] };
  if (type === undefined && NAMESPACE_ID.test(namespace)) return namespace;
  const namespaces = [...view.resources.entries()]
    .filter(([, r]) => typeof r.Type === 'string' && NAMESPACE_TYPES.includes(r.Type))
    .map(([id]) => id)
    .sort();
  const known =
    namespaces.length > 0
      ? `; the template's namespaces are ${listOf(namespaces)}`
      : '; the template has no AWS::ServiceDiscovery::HttpNamespace, PrivateDnsNamespace or PublicDnsNamespace';
  const what =
    type === undefined
      ? 'is not a resource of this template or a namespace ID (ns-...)'
      : `is a ${show(type)}`;
  problems.push(
    problem(
      'CLOUDMAP_INVALID',
      path,
      `"${namespace}" ${what}: give the logical ID of a Cloud Map namespace of the template, or a namespace ID${known}${didYouMean(namespace, namespaces)}`,
    ),
  );
  return undefined;
}
