import type { ResolvedTable, TableSpec } from '../model.js';
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
  /** `Settings.x-cloudmap`: where each table is registered, under which attributes, or why it is not. */
  readonly cloudMap: readonly {
    readonly key: string;
    readonly namespace: string;
    readonly attributes: readonly string[];
    readonly registered: boolean;
  }[];
}

/** The report of a transform that succeeded: each table as made or found, and the grants. */
export function reportOf(
  tables: readonly TableSpec[],
  resolvedTables: ReadonlyMap<string, ResolvedTable>,
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
      const found = resolvedTables.get(spec.key)?.values;
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
    cloudMap: tables.flatMap((spec) =>
      spec.cloudMap === undefined
        ? []
        : [
            {
              key: spec.key,
              namespace: spec.cloudMap.namespace,
              attributes: [
                ...Object.values(spec.cloudMap.returnValues),
                ...Object.keys(spec.cloudMap.additionalAttributes),
              ],
              // As the renderer decides: a looked-up table only with ForceRegister.
              registered: spec.kind === 'create' || spec.cloudMap.forceRegister,
            },
          ],
    ),
  };
}
