import { ACCESS_TYPES, type AccessType, type ResourceScope } from '../access.js';
import { TABLE_NAME } from '../arns.js';
import type { ResolvedTable } from '../model.js';
import type { ExternalRole } from '../plan/targets.js';
import { joinPath, type Problem, problem } from '../problems.js';
import { isIntrinsic, isRecord } from '../template/json.js';

/** A role of another account, to be granted in a new table's own resource policy. */
interface ResourceGrant {
  readonly table: ResolvedTable;
  readonly role: ExternalRole;
  readonly access: readonly AccessType[];
  readonly path: string;
}

/** Actions whose resource is the stream alone, and those a stream's policy can hold (its resource types). */
const STREAM_ONLY = new Set(['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator']);
const ON_STREAM = new Set([
  ...STREAM_ONLY,
  'dynamodb:GetResourcePolicy',
  'dynamodb:PutResourcePolicy',
  'dynamodb:DeleteResourcePolicy',
  'dynamodb:ListTagsOfResource',
  'dynamodb:TagResource',
  'dynamodb:UntagResource',
]);
/** Actions on backups alone: a table's policy cannot grant them. */
const BACKUP_ONLY = new Set(['dynamodb:DescribeBackup', 'dynamodb:DeleteBackup']);
/** DynamoDB's limit for one resource-based policy document, whitespace counted. */
const POLICY_LIMIT = 20_480;

const arnOf = (name: string, suffix = '') => ({
  'Fn::Sub': `arn:\${AWS::Partition}:dynamodb:\${AWS::Region}:\${AWS::AccountId}:table/${name}${suffix}`,
});

/**
 * Grants roles of other accounts on a new table through the table's `ResourcePolicy` (and its stream's, under
 * `StreamSpecification.ResourcePolicy`): the actions and resources an identity policy would give them, the exact
 * role ARN as the principal, after every statement the author wrote there, none of which is dropped or changed.
 * `ListStreams`, `ListBackups` and backup actions have no place in a table's or stream's policy and are left out.
 */
export function addResourcePolicies(
  properties: Record<string, unknown>,
  propertiesPath: string,
  grants: readonly ResourceGrant[],
  problems: Problem[],
): void {
  const [first] = grants;
  if (!first) return;
  const name = properties.TableName;
  if (typeof name !== 'string' || !TABLE_NAME.test(name)) {
    problems.push(
      problem(
        'ROLE_OTHER_ACCOUNT',
        first.path,
        `${shownRole(first.role)} is a role of another account, so it is granted in the table's ResourcePolicy, which must name the table's ARN: give the table a TableName (the name CloudFormation would make is known only once the table exists)`,
      ),
    );
    return;
  }
  const { table, stream } = crossAccountStatements(name, grants);
  const merged = mergePolicy(
    properties.ResourcePolicy,
    table,
    joinPath(propertiesPath, 'ResourcePolicy'),
    problems,
  );
  if (merged) properties.ResourcePolicy = merged;
  if (stream.length > 0)
    addStreamPolicy(properties, joinPath(propertiesPath, 'StreamSpecification'), stream, problems);
}

/** The statements that grant roles of other accounts on the table (and its indexes) and on its stream. */
function crossAccountStatements(
  name: string,
  grants: readonly ResourceGrant[],
): { table: unknown[]; stream: unknown[] } {
  const out = { table: [] as unknown[], stream: [] as unknown[] };
  for (const { table: granted, role, access } of grants) {
    const principal = { AWS: role.parameter === undefined ? role.arn : { Ref: role.parameter } };
    for (const type of access) {
      for (const template of ACCESS_TYPES[type].statements)
        addStatements(name, granted, principal, template, out);
    }
  }
  return out;
}

/** One statement of an access type, as the table's and the stream's policies take it. */
function addStatements(
  name: string,
  granted: ResolvedTable,
  principal: unknown,
  template: { readonly scopes: readonly ResourceScope[]; readonly actions: readonly string[] },
  out: { table: unknown[]; stream: unknown[] },
): void {
  const { scopes, actions } = template;
  const resources: unknown[] = [];
  if (scopes.includes('table')) resources.push(arnOf(name));
  if (scopes.includes('indexes') && granted.hasIndexes) resources.push(arnOf(name, '/index/*'));
  const tableActions = actions.filter((a) => !STREAM_ONLY.has(a) && !BACKUP_ONLY.has(a));
  if (resources.length > 0 && tableActions.length > 0)
    out.table.push({ Effect: 'Allow', Principal: principal, Action: tableActions, Resource: resources });
  const streamActions = actions.filter((a) => ON_STREAM.has(a));
  if (scopes.includes('stream') && granted.hasStream && streamActions.length > 0)
    out.stream.push({
      Effect: 'Allow',
      Principal: principal,
      Action: streamActions,
      Resource: [arnOf(name, '/stream/*')],
    });
}

/** The stream grants, in `StreamSpecification.ResourcePolicy`. */
function addStreamPolicy(
  properties: Record<string, unknown>,
  streamPath: string,
  stream: readonly unknown[],
  problems: Problem[],
): void {
  if (isIntrinsic(properties.StreamSpecification)) {
    // A key beside a function (Fn::If) would make an object CloudFormation refuses.
    problems.push(
      problem(
        'TARGET_NOT_EDITABLE',
        streamPath,
        'is a function, so the macro cannot add the stream grants of roles of other accounts to its ResourcePolicy; write it out',
      ),
    );
    return;
  }
  if (!isRecord(properties.StreamSpecification)) return;
  const specification = { ...properties.StreamSpecification };
  const merged = mergePolicy(
    specification.ResourcePolicy,
    stream,
    joinPath(streamPath, 'ResourcePolicy'),
    problems,
  );
  if (merged) {
    specification.ResourcePolicy = merged;
    properties.StreamSpecification = specification;
  }
}

function shownRole(role: ExternalRole): string {
  return role.parameter === undefined ? (role.arn ?? 'the role') : `the role of parameter ${role.parameter}`;
}

/** The author's policy with `ours` appended, each statement numbered with a Sid the author does not use. */
function mergePolicy(
  current: unknown,
  ours: readonly unknown[],
  path: string,
  problems: Problem[],
): Record<string, unknown> | undefined {
  if (ours.length === 0) return undefined;
  const given =
    current === undefined ? { document: { Version: '2012-10-17' }, statements: [] } : authorPolicy(current);
  if (given === undefined) {
    problems.push(
      problem(
        'TARGET_NOT_EDITABLE',
        path,
        'is not a PolicyDocument mapping with a Statement list, so the macro cannot add the grants of roles of other accounts to it; write it out',
      ),
    );
    return undefined;
  }
  const document: Record<string, unknown> = {
    ...given.document,
    Statement: withSids(given.statements, ours),
  };
  if (JSON.stringify(document).length > POLICY_LIMIT) {
    problems.push(
      problem(
        'IAM_LIMIT_EXCEEDED',
        path,
        `with the grants of roles of other accounts the policy would exceed the ${POLICY_LIMIT} characters DynamoDB allows`,
      ),
    );
    return undefined;
  }
  return { ...(isRecord(current) ? current : {}), PolicyDocument: document };
}

/** The author's policy document and its statements, when it is written out. */
function authorPolicy(
  current: unknown,
): { document: Record<string, unknown>; statements: unknown[] } | undefined {
  const given = isRecord(current) && !isIntrinsic(current) ? current.PolicyDocument : undefined;
  if (!isRecord(given) || isIntrinsic(given)) return undefined;
  const list = given.Statement;
  if (Array.isArray(list)) return { document: given, statements: [...list] };
  return isRecord(list) && !isIntrinsic(list) ? { document: given, statements: [list] } : undefined;
}

/** `statements` followed by `ours`, each of ours once, numbered with a Sid none of `statements` uses. */
function withSids(statements: readonly unknown[], ours: readonly unknown[]): unknown[] {
  const out = [...statements];
  const taken = new Set(statements.map((s) => (isRecord(s) ? s.Sid : undefined)));
  let n = 1;
  // Two access types may give one role the same statement (RW and StreamRead on a stream): it is written once.
  const unique = [...new Map(ours.map((s) => [JSON.stringify(s), s])).values()];
  for (const statement of unique) {
    while (taken.has(`XDynamoDBCrossAccount${n}`)) n++;
    taken.add(`XDynamoDBCrossAccount${n}`);
    out.push({ Sid: `XDynamoDBCrossAccount${n}`, ...(statement as Record<string, unknown>) });
  }
  return out;
}
