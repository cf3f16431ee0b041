import fc from 'fast-check';
import { transform } from './src/transform.js';
import { fixtureFinder } from './test/helpers.js';
import { plausible } from './test/property/templates.js';
const samples = fc.sample(plausible, { numRuns: 1200, seed: 993553 });
const fragment = samples[1038] as any;
console.log(JSON.stringify(fragment['x-dynamodb']));
const r = await transform({ fragment, region: 'us-east-1' }, fixtureFinder());
if (r.ok) { const text = JSON.stringify(r.template, null, 1).split('\n'); console.log(text.slice(55, 72).join('\n')); }
