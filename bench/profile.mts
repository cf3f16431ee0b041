// Profiles the warm transform of the large template: node --cpu-prof, then read the hottest functions.
import { createHandler } from '../src/handler.js';
import { largeEvent } from './largeTemplate.js';

const handler = createHandler({
  createFinder: async () => {
    throw new Error('no lookups');
  },
  logger: { info: () => {}, error: () => {} },
});
const event = largeEvent(Number(process.argv[2] ?? 100));
for (let i = 0; i < 5; i++) await handler(event);
const start = performance.now();
for (let i = 0; i < 30; i++) await handler(event);
console.log(`${((performance.now() - start) / 30).toFixed(1)} ms per transform`);
