import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sectionValidatorSource } from '../../../scripts/sectionSchema.js';
import { ROOT } from '../../helpers.js';

describe('the precompiled section validator', () => {
  it('is what the schemas compile to today (run `npm run build` after editing schema/)', () => {
    const committed = readFileSync(join(ROOT, 'src/parse/generated/validateSection.js'), 'utf8');
    expect(committed === sectionValidatorSource()).toBe(true);
  });
});
