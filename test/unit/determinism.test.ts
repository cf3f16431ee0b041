import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AwsFinder } from '../../src/lookup/awsFinder.js';
import type { TableFinder } from '../../src/lookup/port.js';
import { stringifyTemplate } from '../../src/template/yaml.js';
import { expandOk, fixtureFinder, ROOT, readYaml } from '../helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Many lookups at once: several names of the fixture, each under its own key. */
function lookupTemplate(): Record<string, unknown> {
  const template = readYaml(join(ROOT, 'examples/ecs-app.yaml'));
  const section = template['x-dynamodb'] as Record<string, unknown>;
  for (let i = 0; i < 12; i++) {
    section[`extra-${i}`] = {
      Lookup:
        i % 2 === 0 ? { TableName: 'billing-customers-staging' } : { Tags: { team: 'billing', env: 'prod' } },
      Services: { AppTaskDefinition: { Access: i % 3 === 0 ? 'RW' : 'RO' } },
    };
  }
  return template;
}

describe('same input, same output', () => {
  it('is byte-identical whatever order the lookups finish in', async () => {
    const template = lookupTemplate();
    const reference = stringifyTemplate(await expandOk(template));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(5), { minLength: 20, maxLength: 20 }),
        fc.boolean(),
        async (delays, reverse) => {
          const inner = fixtureFinder();
          const finder: TableFinder = {
            findTables: async (requests, region) => {
              const answers = await Promise.all(
                requests.map(async (request, i) => {
                  await sleep(delays[i % delays.length] ?? 0);
                  const [outcome] = await inner.findTables([request], region);
                  return outcome;
                }),
              );
              const done = answers.filter((a) => a !== undefined);
              return reverse ? done.reverse() : done;
            },
          };
          expect(stringifyTemplate(await expandOk(template, { finder }))).toBe(reference);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('is byte-identical through the AWS finder when calls answer out of order', async () => {
    const tagging = mockClient(ResourceGroupsTaggingAPIClient);
    const dynamodb = mockClient(DynamoDBClient);
    const arn = (name: string) => `arn:aws:dynamodb:us-east-1:111122223333:table/${name}`;
    tagging.on(GetResourcesCommand).callsFake(async () => {
      await sleep(Math.random() * 5);
      return {
        ResourceTagMappingList: [
          {
            ResourceARN: arn('billing-customers-prod'),
            Tags: [
              { Key: 'team', Value: 'billing' },
              { Key: 'env', Value: 'prod' },
            ],
          },
          {
            ResourceARN: arn('billing-customers-staging'),
            Tags: [
              { Key: 'team', Value: 'billing' },
              { Key: 'env', Value: 'staging' },
            ],
          },
        ],
      };
    });
    dynamodb.on(DescribeTableCommand).callsFake(async (input: { TableName: string }) => {
      await sleep(Math.random() * 5);
      // Asked by name or, for a table found by its tags, by its ARN.
      const name = input.TableName.replace(/^arn:.*:table\//, '');
      return { Table: { TableName: name, TableArn: arn(name) } };
    });
    const finder = () =>
      new AwsFinder((region) => ({
        dynamodb: new DynamoDBClient({ region, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }),
        tagging: new ResourceGroupsTaggingAPIClient({
          region,
          credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
        }),
      }));
    const template = lookupTemplate();
    const outputs = new Set<string>();
    for (let i = 0; i < 10; i++) outputs.add(JSON.stringify(await expandOk(template, { finder: finder() })));
    expect(outputs.size).toBe(1);
    tagging.restore();
    dynamodb.restore();
  });
});
