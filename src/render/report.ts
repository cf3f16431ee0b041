import type { TableRefs, TableSpec } from '../model.js';
import type { TransformParameters } from '../parse/params.js';
import type { GrantReport, Plan } from '../plan/grants.js';

/** What the transform did, for a person (`composex-dynamodb explain`): tables, and who gets what. */
export interface TransformReport {
  readonly tables: readonly (
    | {
        readonly kind: 'create';
        readonly key: string;
        readonly logicalId: string;
        readonly properties: Readonly<Record<string, unknown>>;
        readonly deletionPolicy: string;
        readonly condition: string | undefined;
      }
    | { readonly kind: 'lookup'; readonly key: string; readonly name: string; readonly arn: string }
  )[];
  readonly grants: readonly GrantReport[];
}

/** The report of a transform that succeeded: each table as made or found, and the grants. */
export function reportOf(
  tables: readonly TableSpec[],
  refs: ReadonlyMap<string, TableRefs>,
  plan: Plan,
  parameters: TransformParameters,
): TransformReport {
  return {
    tables: tables.flatMap((spec): TransformReport['tables'][number][] => {
      if (spec.kind === 'create') {
        const deletionPolicy = spec.deletionPolicy ?? parameters.deletionPolicy;
        return [
          {
            kind: 'create',
            key: spec.key,
            logicalId: spec.logicalId,
            properties: spec.values,
            deletionPolicy,
            condition: spec.condition,
          },
        ];
      }
      const found = refs.get(spec.key)?.values;
      return [
        {
          kind: 'lookup',
          key: spec.key,
          name: typeof found?.TableName === 'string' ? found.TableName : '',
          arn: typeof found?.Arn === 'string' ? found.Arn : '',
        },
      ];
    }),
    grants: plan.report,
  };
}
