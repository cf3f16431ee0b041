import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand, DynamoDBClient, type TableDescription } from '@aws-sdk/client-dynamodb';
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import type { Moto } from './tools.js';

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Action: string | string[];
  readonly Resource: string | (string | null)[];
}

/** SDK clients pointed at a moto server, with the few calls the integration suites make. */
export class MotoAws {
  private readonly cfn: CloudFormationClient;
  private readonly iam: IAMClient;
  private readonly kms: KMSClient;
  private readonly dynamodb: DynamoDBClient;

  constructor(moto: Moto, region = 'us-east-1') {
    const config = {
      region,
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      // No retries: a retried CreateStack after moto's own error reports "already exists" instead of the error.
      maxAttempts: 1,
    };
    this.cfn = new CloudFormationClient(config);
    this.iam = new IAMClient(config);
    this.kms = new KMSClient(config);
    this.dynamodb = new DynamoDBClient(config);
  }

  async createKey(): Promise<string> {
    const { KeyMetadata } = await this.kms.send(new CreateKeyCommand({}));
    return KeyMetadata?.Arn ?? '';
  }

  /** Creates a stack and returns its status and the physical ID of each logical ID. */
  async createStack(
    name: string,
    template: unknown,
    parameters: Record<string, string> = {},
  ): Promise<{ status: string; physical: Record<string, string>; types: Record<string, string> }> {
    await this.cfn.send(
      new CreateStackCommand({
        StackName: name,
        TemplateBody: JSON.stringify(template),
        Capabilities: ['CAPABILITY_IAM'],
        Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({
          ParameterKey,
          ParameterValue,
        })),
      }),
    );
    const { Stacks } = await this.cfn.send(new DescribeStacksCommand({ StackName: name }));
    const physical: Record<string, string> = {};
    const types: Record<string, string> = {};
    let token: string | undefined;
    do {
      const page = await this.cfn.send(new ListStackResourcesCommand({ StackName: name, NextToken: token }));
      for (const r of page.StackResourceSummaries ?? []) {
        physical[r.LogicalResourceId ?? ''] = r.PhysicalResourceId ?? '';
        types[r.LogicalResourceId ?? ''] = r.ResourceType ?? '';
      }
      token = page.NextToken;
    } while (token);
    return { status: Stacks?.[0]?.StackStatus ?? 'MISSING', physical, types };
  }

  async describeTable(name: string): Promise<TableDescription> {
    const { Table } = await this.dynamodb.send(new DescribeTableCommand({ TableName: name }));
    if (!Table) throw new Error(`no table ${name}`);
    return Table;
  }

  /** Every statement a role has: its inline policies and the default versions of its managed policies. */
  async roleStatements(roleName: string): Promise<{ policy: string; statement: PolicyStatement }[]> {
    const documents: { policy: string; document: string }[] = [];
    const { PolicyNames = [] } = await this.iam.send(new ListRolePoliciesCommand({ RoleName: roleName }));
    for (const policy of PolicyNames) {
      const { PolicyDocument = '{}' } = await this.iam.send(
        new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policy }),
      );
      documents.push({ policy, document: PolicyDocument });
    }
    const { AttachedPolicies = [] } = await this.iam.send(
      new ListAttachedRolePoliciesCommand({ RoleName: roleName }),
    );
    for (const attached of AttachedPolicies) {
      const { Policy } = await this.iam.send(new GetPolicyCommand({ PolicyArn: attached.PolicyArn }));
      const { PolicyVersion } = await this.iam.send(
        new GetPolicyVersionCommand({ PolicyArn: attached.PolicyArn, VersionId: Policy?.DefaultVersionId }),
      );
      documents.push({ policy: attached.PolicyName ?? '', document: PolicyVersion?.Document ?? '{}' });
    }
    return documents.flatMap(({ policy, document }) => {
      const parsed = JSON.parse(decodeURIComponent(document));
      return [parsed.Statement].flat().map((statement: PolicyStatement) => ({ policy, statement }));
    });
  }
}
