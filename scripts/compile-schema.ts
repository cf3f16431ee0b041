// Writes the precompiled validator of the x-dynamodb section (run by the build; `npm test` checks it is current).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sectionValidatorSource } from '../src/parse/sectionSchema.js';

writeFileSync(
  join(import.meta.dirname, '../src/parse/generated/validateSection.js'),
  sectionValidatorSource(),
);
