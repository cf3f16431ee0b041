import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readTemplate, stringifyTemplate } from '../../src/template/yaml.js';
import { expandOk, ROOT } from '../helpers.js';
import { cfnLint, describeMatch, IN_CI, type LintMatch, scratchDir, validatorAvailable } from './tools.js';

/**
 * The README's list of the forms to write a role in (a task definition's TaskRoleArn, a function's Role): each one
 * goes through the macro, and its output through cfn-lint with no error, warning or informational match. The list is
 * read from the README, so that what it recommends is what is tested.
 */

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const MARK = '# TaskRoleArn or Role: the forms to write\n';

function readmeForms(): unknown[] {
  const block = /```yaml\n([\s\S]*?)```/g;
  for (const [, body = ''] of README.matchAll(block)) {
    if (body.startsWith(MARK)) return readTemplate(body).template as unknown[];
  }
  throw new Error(`the README has no yaml block starting with ${MARK}`);
}

const ROLE = {
  Type: 'AWS::IAM::Role',
  Properties: {
    AssumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: ['ecs-tasks.amazonaws.com', 'lambda.amazonaws.com'] },
          Action: 'sts:AssumeRole',
        },
      ],
    },
  },
};

/** A template whose task definition and function both run as `role`, each given access to one table. */
function templateWith(role: unknown): Record<string, unknown> {
  const parameters = JSON.stringify(role).includes('AppRoleArn')
    ? { AppRoleArn: { Type: 'String', Default: 'arn:aws:iam::111122223333:role/app' } }
    : undefined;
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    ...(parameters ? { Parameters: parameters } : {}),
    'x-dynamodb': {
      orders: {
        Properties: {
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        },
        Services: { AppTaskDefinition: { Access: 'RW' }, AppFunction: { Access: 'RO' } },
      },
    },
    Resources: {
      AppTaskRole: ROLE,
      AppTaskDefinition: {
        Type: 'AWS::ECS::TaskDefinition',
        Properties: { TaskRoleArn: role, ContainerDefinitions: [{ Name: 'app', Image: 'nginx' }] },
      },
      AppFunction: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Role: role,
          Runtime: 'nodejs22.x',
          Handler: 'index.handler',
          Code: { ZipFile: 'exports.handler = async () => 1;' },
        },
      },
    },
  };
}

const forms = readmeForms();
const available = validatorAvailable('cfn-lint');

describe("the README's role forms", () => {
  it('are listed: a GetAtt, an ARN, a parameter and Subs', () => {
    expect(forms).toContainEqual({ 'Fn::GetAtt': ['AppTaskRole', 'Arn'] });
    expect(forms).toContainEqual({ Ref: 'AppRoleArn' });
    expect(forms.length).toBeGreaterThanOrEqual(5);
  });

  it.each(forms.map((f) => [JSON.stringify(f), f]))('%s: the macro grants the role', async (_, form) => {
    const out = await expandOk(templateWith(form), {
      templateParameterValues: { AppRoleArn: 'arn:aws:iam::111122223333:role/app' },
    });
    const types = Object.values(out.Resources as Record<string, { Type: string }>).map((r) => r.Type);
    expect(types).toContain('AWS::IAM::Policy');
  });
});

describe.skipIf(!available && !IN_CI)("the README's role forms through cfn-lint (one run for all)", () => {
  const scratch = scratchDir('cxddb-roles-');
  const files = new Map<string, string>();
  let matches: LintMatch[] = [];

  beforeAll(async () => {
    const dir = scratch();
    const write = async (name: string, form: unknown) => {
      const file = join(dir, `${files.size}.yaml`);
      const out = await expandOk(templateWith(form), {
        templateParameterValues: { AppRoleArn: 'arn:aws:iam::111122223333:role/app' },
      });
      writeFileSync(file, stringifyTemplate(out));
      files.set(name, file);
    };
    for (const form of forms) await write(JSON.stringify(form), form);
    // What the README advises against, to show the check can fail.
    await write('Ref', { Ref: 'AppTaskRole' });
    matches = cfnLint([...files.values()]);
  });

  it.each(forms.map((f) => [JSON.stringify(f)]))('%s: no error, warning or informational match', (name) => {
    const file = files.get(name);
    expect(file).toBeDefined();
    expect(matches.filter((m) => m.Filename === file).map(describeMatch)).toEqual([]);
  });

  it('flags !Ref AppTaskRole, which the README advises against, in the TaskRoleArn (E1041)', () => {
    const file = files.get('Ref');
    const flagged = matches.filter((m) => m.Filename === file).map((m) => `${m.Rule.Id} ${m.Message}`);
    expect(flagged).toEqual([
      "E1041 {'Ref': 'AppTaskRole'} does not match destination format of 'AWS::IAM::Role.Arn'",
    ]);
  });
});
