// Times each stage of the transform on the large template (a diagnostic for `npm run bench`, not a test).

import { parseSection } from '../src/parse/parseSection.js';
import { readSection } from '../src/parse/schema.js';
import type { Problem } from '../src/problems.js';
import { walkReferences } from '../src/template/references.js';
import { viewTemplate } from '../src/template/view.js';
import { transform } from '../src/transform.js';
import { largeEvent } from './largeTemplate.js';

const event = largeEvent(100) as { fragment: Record<string, unknown>; params: unknown };
const view = viewTemplate(event.fragment);
const time = (name: string, work: () => unknown, n = 40) => {
  for (let i = 0; i < 5; i++) work();
  const t = performance.now();
  for (let i = 0; i < n; i++) work();
  console.log(name.padEnd(16), ((performance.now() - t) / n).toFixed(2), 'ms');
};
time('validate', () => readSection(event.fragment['x-dynamodb'], [] as Problem[]));
time('parse', () => parseSection(event.fragment['x-dynamodb'], view, {}, []));
time('walkRefs', () => walkReferences(event.fragment, '', () => {}));
time('stringify', () => JSON.stringify(event.fragment));
let total = 0;
const t0 = performance.now();
for (let i = 0; i < 40; i++)
  await transform({ fragment: event.fragment, parameters: event.params, region: 'us-east-1' }, undefined);
total = (performance.now() - t0) / 40;
console.log('transform'.padEnd(16), total.toFixed(2), 'ms');
