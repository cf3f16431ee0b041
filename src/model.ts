import type { AccessType } from './access.js';
import type { TableAttribute } from './names.js';
import { conditionBranches, isIntrinsic, isNoValue, isRecord } from './template/json.js';

/** One target named under a table's `Services`, with what it asked for. */
export interface ServiceGrant {
  readonly target: string;
  readonly access: readonly AccessType[];
  readonly returnValues: Partial<Record<TableAttribute, string>>;
  /** `Access: VariablesOnly`: the variables, no IAM access (and no role needed). */
  readonly variablesOnly: boolean;
  /** `Containers`: only these containers of a task definition get the variables; undefined for every one. */
  readonly containers: readonly string[] | undefined;
  readonly path: string;
}

/** `Settings.x-cloudmap`: register the table as an instance of a Cloud Map service. */
export interface CloudMapSpec {
  /** The logical ID of a namespace of the template, or a namespace ID (`ns-...`). */
  readonly namespace: string;
  /** Instance attribute name for each table attribute to register. */
  readonly returnValues: Partial<Record<TableAttribute, string>>;
  readonly additionalAttributes: Readonly<Record<string, string>>;
  /** Register a looked-up table too. */
  readonly forceRegister: boolean;
  readonly path: string;
}

interface TableSpecBase {
  readonly key: string;
  readonly path: string;
  readonly services: readonly ServiceGrant[];
  readonly envNames: readonly string[];
  readonly cloudMap: CloudMapSpec | undefined;
}

/**
 * Target tracking for one capacity dimension (ComposeX v0.20 `Scaling`). Each value as written (`5`, `"5"`,
 * `!Ref ReadMin`), for the output: the checks read them when parsing.
 */
export interface ScalingTarget {
  readonly minCapacity: unknown;
  readonly maxCapacity: unknown;
  readonly targetValue: unknown;
  readonly scaleInCooldown: unknown;
  readonly scaleOutCooldown: unknown;
}

export interface ScalingDimensions {
  readonly read: ScalingTarget | undefined;
  readonly write: ScalingTarget | undefined;
}

/** Scaling of a new table and of its global secondary indexes, by index name, `CopyToIndexes` applied. */
export interface ScalingSpec {
  readonly table: ScalingDimensions;
  readonly indexes: ReadonlyMap<string, ScalingDimensions>;
}

export interface NewTableSpec extends TableSpecBase {
  readonly kind: 'create';
  readonly logicalId: string;
  /** The table's properties as written, for the output. */
  readonly properties: Readonly<Record<string, unknown>>;
  /** The same properties read as CloudFormation reads scalars (`"5"` is 5): what rules compare. */
  readonly values: Readonly<Record<string, unknown>>;
  /**
   * The property sets the table may have, each read as `values` and at its path: `values` itself; each branch of a
   * whole `Properties: !If` (`!Ref AWS::NoValue` as none); undefined when only CloudFormation knows them (an
   * `Fn::Transform`, or an `!If` inside a branch).
   */
  readonly variants: readonly PropertyVariant[] | undefined;
  readonly deletionPolicy: string | undefined;
  readonly updateReplacePolicy: string | undefined;
  readonly condition: string | undefined;
  readonly dependsOn: readonly string[];
  readonly scaling: ScalingSpec | undefined;
}

/** One property set a new table may have: its properties read as CloudFormation reads scalars, at their path. */
export interface PropertyVariant {
  readonly values: Readonly<Record<string, unknown>>;
  readonly path: string;
}

/**
 * Whether a new table always has a stream, so that the macro may write its StreamArn (grants, outputs, variables):
 * a StreamSpecification written out in every property set it may have, or an `Fn::If` of two written out.
 * Properties only CloudFormation knows have none the macro can name.
 */
export function hasStreamSpecification(spec: NewTableSpec): boolean {
  const always = (stream: unknown): boolean => {
    if (!isRecord(stream)) return false;
    if (!isIntrinsic(stream)) return true;
    const branches = conditionBranches(stream);
    return branches !== undefined && always(branches[1]) && always(branches[2]);
  };
  const variants = spec.variants ?? [];
  return variants.length > 0 && variants.every((variant) => always(variant.values.StreamSpecification));
}

/**
 * Whether a new table may have a stream: a StreamSpecification in some property set, or properties only
 * CloudFormation knows. The author may refer to its StreamArn (CloudFormation judges that); the macro writes it
 * only when the table always has one.
 */
export function mayHaveStream(spec: NewTableSpec): boolean {
  const some = (variant: PropertyVariant) => {
    const stream = variant.values.StreamSpecification;
    return stream !== undefined && stream !== null && !isNoValue(stream);
  };
  return spec.variants === undefined || spec.variants.some(some);
}

export interface LookupQuery {
  readonly tags: readonly { readonly key: string; readonly value: string }[];
  readonly arn: string | undefined;
  readonly tableName: string | undefined;
  readonly roleArn: string | undefined;
  readonly region: string | undefined;
  /**
   * How to show a value that came from a template parameter (`tag:<key>`, `arn`, `tableName`, `roleArn`,
   * `region`): by the parameter's name, never its value, which may be NoEcho.
   */
  readonly shown: Readonly<Record<string, string>>;
}

export interface LookupTableSpec extends TableSpecBase {
  readonly kind: 'lookup';
  readonly query: LookupQuery;
}

export type TableSpec = NewTableSpec | LookupTableSpec;

/** What a looked-up table is, read from DescribeTable. */
export interface FoundTable {
  readonly name: string;
  readonly arn: string;
  readonly streamArn: string | undefined;
  readonly kmsKeyArn: string | undefined;
  readonly indexNames: readonly string[];
}

/**
 * A table resolved for the rest of the template: values for each attribute (intrinsics for a new table, literal
 * text for a looked-up one), plus what the policy renderer needs to scope resources.
 */
export interface ResolvedTable {
  readonly key: string;
  readonly kind: 'create' | 'lookup';
  /** The logical ID of a new table; undefined for a lookup, which is not part of the stack. */
  readonly logicalId: string | undefined;
  readonly values: Readonly<Record<TableAttribute, unknown>>;
  /** The table always has a stream: the macro may write its StreamArn. */
  readonly hasStream: boolean;
  /** Why a new table has no stream the macro can name, for messages, when it may have one. */
  readonly noStreamBecause?: string | undefined;
  readonly hasIndexes: boolean;
  /** The customer-managed KMS key the table is encrypted with, resolved for policies. */
  readonly kms: KmsKey | undefined;
  readonly condition: string | undefined;
  /** The longest the table ARN can be once deployed, for IAM size estimates. */
  readonly maxArnLength: number;
}

/**
 * The KMS key a grant names: a key resource (ARN or intrinsic), or for an alias, every key of the account and
 * region with a `kms:ResourceAliases` condition, since an alias cannot be a policy resource for key use.
 */
export interface KmsKey {
  readonly resource: unknown;
  readonly alias: string | undefined;
  /** Characters the resource takes once resolved, at most. */
  readonly size: number;
}

/** One table granted to one role with one access type. */
export interface Grant {
  readonly table: ResolvedTable;
  readonly access: AccessType;
}
