import { SECTION_KEY } from '../names.js';
import { type Problem, problem } from '../problems.js';
import { closestName, didYouMean } from '../suggest.js';
import { isRecord } from '../template/json.js';

const TOP_LEVEL_MAPPINGS = ['Resources', 'Parameters', 'Conditions', 'Outputs', 'Mappings'] as const;

/** What the macro needs of the template around its section: the version, a text description, mappings, and no
 * section named almost like its own. */
export function checkTemplate(template: Readonly<Record<string, unknown>>, problems: Problem[]): void {
  for (const section of TOP_LEVEL_MAPPINGS) {
    if (template[section] !== undefined && !isRecord(template[section])) {
      problems.push(problem('SECTION_NOT_OBJECT', section, 'must be a mapping'));
    }
  }
  if (template.AWSTemplateFormatVersion !== undefined && template.AWSTemplateFormatVersion !== '2010-09-09') {
    problems.push(
      problem('INVALID_VALUE', 'AWSTemplateFormatVersion', 'must be "2010-09-09", the only version'),
    );
  }
  for (const key of Object.keys(template)) {
    // `X-DynamoDB` or `x-dynamo-db` would reach CloudFormation, which refuses a section it does not know.
    if (key !== SECTION_KEY && closestName(key, [SECTION_KEY]) !== undefined) {
      problems.push(
        problem(
          'UNKNOWN_KEY',
          key,
          `is not a section of a template; this macro reads ${SECTION_KEY}${didYouMean(key, [SECTION_KEY])}`,
        ),
      );
    }
  }
  if (template.Description !== undefined && typeof template.Description !== 'string') {
    problems.push(problem('WRONG_TYPE', 'Description', 'must be a string'));
  }
}
