/**
 * The precompiled validator of the x-dynamodb section, src/parse/generated/validateSection.js, compiled from
 * schema/*.json. `npm run generate` writes it; `--check` (run by `npm run build`, so by `npm test` and `sam build`)
 * only compares and fails when the committed file is not what the schemas compile to, without touching it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sectionValidatorSource } from './sectionSchema.js';

const target = join(import.meta.dirname, '../src/parse/generated/validateSection.js');
const source = sectionValidatorSource();
if (process.argv.includes('--check')) {
  if (readFileSync(target, 'utf8') !== source) {
    console.error(
      'src/parse/generated/validateSection.js is stale: run `npm run generate` after editing schema/',
    );
    process.exitCode = 1;
  }
} else {
  writeFileSync(target, source);
}
