import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { cliIo as io } from '../helpers.js';

const TEMPLATE = `
Transform: ComposeXDynamoDB
Parameters:
  Mode: {Type: String, Default: PROVISIONED, AllowedValues: [PROVISIONED, PAY_PER_REQUEST]}
x-dynamodb:
  t:
    Properties:
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      BillingMode: !Ref Mode
Resources: {}
`;

describe('validate with BillingMode: !Ref Mode', () => {
  it("checks the billing rule with the parameter's Default, or the --parameter value", async () => {
    const byDefault = io({ 't.yaml': TEMPLATE });
    expect(await runCli(['validate', 't.yaml'], byDefault.cli)).toBe(1);
    expect(byDefault.out.join('')).toContain(
      'x-dynamodb.t.Properties.ProvisionedThroughput: is required when BillingMode is parameter Mode, "PROVISIONED" in this request (the table)',
    );
    const given = io({ 't.yaml': TEMPLATE });
    expect(await runCli(['validate', 't.yaml', '--parameter', 'Mode=PAY_PER_REQUEST'], given.cli)).toBe(0);
  });
});
