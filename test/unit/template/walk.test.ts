import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../../src/template/limits.js';
import { walkReferences } from '../../../src/template/references.js';

/** Every reference inside `value`, with its path, as the walk reports them (conditions of Fn::If too). */
function collectReferences(value: unknown, path: string, depth = 0) {
  const out: { kind: string; name: string; attribute: string | undefined; path: string }[] = [];
  walkReferences(
    value,
    path,
    (kind, name, attribute, at) => out.push({ kind, name, attribute, path: at() }),
    depth,
    true,
  );
  return out;
}

import { WALK_INTO, walkTemplate } from '../../../src/template/walk.js';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** A value `levels` mappings deep: `{a: {a: ... {Ref: name}}}`. */
function nested(levels: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

describe('walkTemplate', () => {
  const template = deepFreeze({
    Resources: {
      Role: {
        Type: 'AWS::IAM::Role',
        Properties: {
          Tags: [
            { Key: 'a', Value: 'b' },
            { Key: 'k', Value: 'old' },
          ],
        },
      },
      Other: { Type: 'AWS::SNS::Topic', Properties: { TopicName: { Ref: 'Name' } } },
    },
  });

  it('visits every mapping, entry and text depth first, with their paths', () => {
    const seen: string[] = [];
    walkTemplate(template, 'T', {
      mapping: (_node, at) => {
        seen.push(`mapping ${at.path()}`);
        return WALK_INTO;
      },
      text: (text, at) => {
        seen.push(`text ${at.path()}=${text}`);
        return text;
      },
    });
    expect(seen).toEqual([
      'mapping T',
      'mapping T.Resources',
      'mapping T.Resources.Role',
      'text T.Resources.Role.Type=AWS::IAM::Role',
      'mapping T.Resources.Role.Properties',
      'mapping T.Resources.Role.Properties.Tags[0]',
      'text T.Resources.Role.Properties.Tags[0].Key=a',
      'text T.Resources.Role.Properties.Tags[0].Value=b',
      'mapping T.Resources.Role.Properties.Tags[1]',
      'text T.Resources.Role.Properties.Tags[1].Key=k',
      'text T.Resources.Role.Properties.Tags[1].Value=old',
      'mapping T.Resources.Other',
      'text T.Resources.Other.Type=AWS::SNS::Topic',
      'mapping T.Resources.Other.Properties',
      'mapping T.Resources.Other.Properties.TopicName',
      'text T.Resources.Other.Properties.TopicName.Ref=Name',
    ]);
  });

  it('copies only the way to a change and never changes its input', () => {
    const out = walkTemplate(template, '', {
      text: (text) => (text === 'old' ? 'new' : text),
    }) as typeof template;
    expect(out.Resources.Role).toEqual({
      Type: 'AWS::IAM::Role',
      Properties: {
        Tags: [
          { Key: 'a', Value: 'b' },
          { Key: 'k', Value: 'new' },
        ],
      },
    });
    expect(template.Resources.Role.Properties.Tags[1]?.Value).toBe('old');
    expect(out.Resources.Role.Properties.Tags[0]).toBe(template.Resources.Role.Properties.Tags[0]);
    expect(out).not.toBe(template);
    expect(out.Resources.Other).toBe(template.Resources.Other);
    expect(walkTemplate(template, '', { text: (text) => text })).toBe(template);
  });

  it('replaces a whole mapping, or one entry, where the visitor says so, and walks arguments it is given', () => {
    const out = walkTemplate(template, '', {
      mapping: (node, at) => ('Ref' in node ? `ref to ${at.walk(['Ref'], node.Ref)}` : WALK_INTO),
      entry: (key) => (key === 'Type' ? 'replaced' : WALK_INTO),
      text: (text, at) =>
        at.segment(0) === 'Resources' && at.path().endsWith('.Ref') ? text.toUpperCase() : text,
    }) as typeof template;
    expect(out.Resources.Other).toEqual({ Type: 'replaced', Properties: { TopicName: 'ref to NAME' } });
    expect(out.Resources.Role.Type).toBe('replaced');
  });

  it('goes no deeper than LIMITS.depth from the template top, so that no value can overflow the stack', () => {
    const deep = nested(100_000, { Ref: 'X' });
    expect(walkTemplate(deep, '', { text: () => 'changed' })).toBe(deep);
    expect(collectReferences(deep, '')).toEqual([]);
    // The last mapping it enters is at depth LIMITS.depth - 1, counted from where `depth` says the value is.
    expect(collectReferences(nested(LIMITS.depth - 1, { Ref: 'X' }), '')).toHaveLength(1);
    expect(collectReferences(nested(LIMITS.depth, { Ref: 'X' }), '')).toEqual([]);
    expect(collectReferences(nested(LIMITS.depth - 4, { Ref: 'X' }), '', 3)).toHaveLength(1);
    expect(collectReferences(nested(LIMITS.depth - 3, { Ref: 'X' }), '', 3)).toEqual([]);
  });

  it('reads Fn::Sub variables as CloudFormation does: each ${ to the next }, ${!x} literal, none after an unclosed ${', () => {
    const names = (text: string) =>
      collectReferences({ 'Fn::Sub': text }, '').map((r) => [r.name, r.attribute]);
    expect(names('${ A }-${!B}-${C.Arn}-${}${D${E}-${F')).toEqual([
      ['A', undefined],
      ['C', 'Arn'],
      ['D${E', undefined],
    ]);
    expect(names('${'.repeat(1_000))).toEqual([]);
  });
});
