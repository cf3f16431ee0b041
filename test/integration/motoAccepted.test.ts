import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transform } from '../../src/transform.js';
import { fixtureFinder } from '../helpers.js';
import { plausible, transformParameters } from '../property/templates.js';
import { MotoAws } from './motoClients.js';
import { type Moto, propertySeed, startMoto, validatorAvailable } from './tools.js';

/**
 * What the macro expands, CloudFormation deploys: random plausible templates (tables new and looked up, granted to
 * roles, task definitions, services and functions, some conditional, some used by other resources and outputs,
 * some with transform parameters) deployed on moto's CloudFormation with
 * Env=prod, the branch moto can take (it evaluates both sides of an Fn::If).
 */

const available = validatorAvailable('moto_server');
const DEPLOYS = 40;
const SEED = propertySeed();

describe.skipIf(!available)(`moto deploys every plausible template the macro expands (seed ${SEED})`, () => {
  let moto: Moto;
  const outcomes: { status: string; section: unknown }[] = [];

  beforeAll(async () => {
    moto = await startMoto();
    const aws = new MotoAws(moto);
    const finder = fixtureFinder();
    const samples = fc.sample(fc.tuple(plausible, transformParameters), {
      numRuns: 20 * DEPLOYS,
      seed: SEED,
    });
    for (const [i, [fragment, parameters]] of samples.entries()) {
      if (outcomes.length === DEPLOYS) break;
      // Export names are unique in a region, and every stack here goes to the same one.
      const exports = parameters?.ExportPrefix ? { ExportPrefix: `${parameters.ExportPrefix}-${i}` } : {};
      const result = await transform(
        { fragment, parameters: parameters && { ...parameters, ...exports }, region: 'us-east-1' },
        finder,
      );
      if (!result.ok) continue;
      const { status } = await aws.createStack(`plausible-${i}`, result.template, { Env: 'prod' });
      outcomes.push({
        status,
        section: { 'x-dynamodb': fragment['x-dynamodb'], Outputs: fragment.Outputs, parameters },
      });
    }
  }, 120_000);

  afterAll(async () => {
    await moto?.stop();
  });

  it(`deploys ${DEPLOYS} of them`, () => {
    expect(outcomes).toHaveLength(DEPLOYS);
  });

  it('creates every stack completely', () => {
    const failed = outcomes.filter((o) => o.status !== 'CREATE_COMPLETE');
    expect(failed.map((o) => `${o.status}: ${JSON.stringify(o.section)}`)).toEqual([]);
  });
});
