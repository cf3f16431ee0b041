import type { TableSpec } from '../model.js';
import { NAME_MAX } from '../names.js';
import { cut, type Problem, problem } from '../problems.js';
import { isRecord } from '../template/json.js';
import type { TemplateView } from '../template/view.js';

type Section = 'Resources' | 'Conditions' | 'Outputs';

/**
 * Every logical ID and name the macro generates, in one place: each is checked against every name of the template
 * and every other generated one, whatever the order of keys. The new tables are claimed at construction (parse
 * reported their clashes), everything else in the order renderTemplate makes it, which depends on sorted keys only:
 * the same template always reports the same one. Resources and parameters share one namespace (a `Ref` names
 * either); conditions and outputs each have their own.
 */
export class GeneratedIds {
  private readonly owners: Record<Section, Map<string, string>>;

  constructor(template: Record<string, unknown>, view: TemplateView, tables: readonly TableSpec[]) {
    const resources = new Map<string, string>();
    for (const id of isRecord(template.Resources) ? Object.keys(template.Resources) : [])
      resources.set(id, 'a resource of the template');
    for (const name of view.parameters)
      if (!resources.has(name)) resources.set(name, 'a parameter of the template');
    for (const spec of tables)
      if (spec.kind === 'create' && !resources.has(spec.logicalId))
        resources.set(spec.logicalId, `the table ${spec.key}`);
    const named = (names: ReadonlySet<string>, what: string) => new Map([...names].map((n) => [n, what]));
    this.owners = {
      Resources: resources,
      Conditions: named(view.conditions, 'a condition of the template'),
      Outputs: named(view.outputs, 'an output of the template'),
    };
  }

  /**
   * Takes `id` in `section` for `what` (a description for messages) and says whether it was free. A name already
   * taken is reported at the name; one longer than CloudFormation takes, at `path`, where the author gave it.
   */
  claim(section: Section, id: string, what: string, path: string, problems: Problem[]): boolean {
    const owner = this.owners[section].get(id);
    if (owner !== undefined) {
      problems.push(
        problem(
          'LOGICAL_ID_TAKEN',
          `${section}.${id}`,
          `${what} would take this name, which is ${owner} already`,
        ),
      );
      return false;
    }
    if (id.length > NAME_MAX) {
      problems.push(
        problem(
          'INVALID_VALUE',
          path,
          `${what} would have a name of ${id.length} characters (${cut(id, 80)}); CloudFormation takes at most ${NAME_MAX}: shorten the name it is made from`,
        ),
      );
      return false;
    }
    this.owners[section].set(id, what);
    return true;
  }
}
