import { propertySetsOf } from './parse/propertySets.js';
import { show } from './problems.js';
import type { TransformReport } from './render/report.js';
import { isIntrinsic, isNoValue, isRecord } from './template/json.js';
import { count } from './words.js';

function describeNewTable(properties: Readonly<Record<string, unknown>>): string {
  if (!isIntrinsic(properties)) return describeSet(properties);
  const read = propertySetsOf(properties);
  if (!('sets' in read)) return 'properties given by a function';
  // Each property set of a whole Properties: !If, as `Fn::If[2].Fn::If[1]: ...`.
  return read.sets
    .map(({ value, branches, included }) => {
      const at = branches.map((b) => `Fn::If[${b}]`).join('.');
      const what = included
        ? 'included by Fn::Transform'
        : isRecord(value)
          ? describeSet(value)
          : show(value);
      return at === '' ? what : `${at}: ${what}`;
    })
    .join(' | ');
}

function describeSet(properties: Readonly<Record<string, unknown>>): string {
  const parts: string[] = [
    typeof properties.BillingMode === 'string' ? properties.BillingMode : 'PROVISIONED',
  ];
  const keys = Array.isArray(properties.KeySchema)
    ? properties.KeySchema.flatMap((k) =>
        isRecord(k) && typeof k.AttributeName === 'string'
          ? [`${k.AttributeName} ${typeof k.KeyType === 'string' ? k.KeyType : show(k.KeyType)}`]
          : [],
      )
    : [];
  if (keys.length > 0) parts.unshift(`key ${keys.join(', ')}`);
  const stream = properties.StreamSpecification;
  if (isIntrinsic(stream) && !isNoValue(stream))
    parts.push('stream under a condition (not granted by the macro)');
  else if (isRecord(stream))
    parts.push(typeof stream.StreamViewType === 'string' ? `stream ${stream.StreamViewType}` : 'stream');
  const indexes = ['GlobalSecondaryIndexes', 'LocalSecondaryIndexes'].flatMap((list) => {
    const value = properties[list];
    return Array.isArray(value)
      ? value.flatMap((i) => (isRecord(i) && typeof i.IndexName === 'string' ? [i.IndexName] : []))
      : [];
  });
  if (indexes.length > 0) parts.push(`indexes ${indexes.join(', ')}`);
  return parts.join('; ');
}

function regionOf(arn: string): string {
  return arn.split(':')[3] ?? '';
}

/** The report of a transform as text for a person: tables created, tables looked up, and who gets what. */
export function explain(report: TransformReport): string {
  const lines = [...tableLines(report), ...accessLines(report), ...cloudMapLines(report)];
  return `${lines.join('\n')}\n`;
}

function tableLines(report: TransformReport): string[] {
  const created = report.tables.flatMap((t) => (t.kind === 'create' ? [t] : []));
  const looked = report.tables.flatMap((t) => (t.kind === 'lookup' ? [t] : []));
  const lines = [`Tables created: ${created.length}`];
  for (const t of created) {
    const condition = t.condition === undefined ? '' : `; Condition ${t.condition}`;
    lines.push(
      `  ${t.key} -> ${t.logicalId} (${describeNewTable(t.properties)}; DeletionPolicy ${t.deletionPolicy}${condition})`,
    );
  }
  lines.push(`Tables looked up: ${looked.length}`);
  for (const t of looked) lines.push(`  ${t.key} -> ${t.name} in ${regionOf(t.arn)} (${t.arn})`);
  return lines;
}

function accessLines(report: TransformReport): string[] {
  const targets = [...new Set(report.grants.map((g) => g.target))].sort();
  const lines = [`Access: ${count(targets.length, 'target')}`];
  for (const target of targets) {
    const grants = report.grants.filter((g) => g.target === target);
    lines.push(`  ${target}, through ${grants[0]?.role ?? 'its role'}`);
    for (const g of grants) {
      const variables = g.variables.length > 0 ? `; variables ${g.variables.join(', ')}` : '';
      lines.push(`    ${g.table}: ${g.access.join(', ')}${variables}`);
    }
  }
  return lines;
}

function cloudMapLines(report: TransformReport): string[] {
  if (report.cloudMap.length === 0) return [];
  const lines = [
    `Cloud Map: ${count(report.cloudMap.filter((r) => r.registered).length, 'table')} registered`,
  ];
  for (const r of report.cloudMap) {
    lines.push(
      r.registered
        ? `  ${r.key} in namespace ${r.namespace}, attributes ${r.attributes.join(', ')}`
        : `  ${r.key}: not registered (a looked-up table, without ForceRegister)`,
    );
  }
  return lines;
}
