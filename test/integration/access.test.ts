import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ACCESS_NAMES,
  ACCESS_TYPES,
  KMS_ACTIONS,
  POWER_USER_ACTIONS,
  type ResourceScope,
} from '../../src/access.js';
import { isRecord } from '../../src/template/json.js';
import { validatorAvailable } from './tools.js';

const available = validatorAvailable('cfn-lint') && validatorAvailable('python3');

/** Data files of the real validators on this machine: cfn-lint's IAM action list and SAM's policy templates. */
function pythonData(): { policies: string; sam: string } {
  const script = [
    'import os, cfnlint, samtranslator',
    "print(os.path.join(os.path.dirname(cfnlint.__file__), 'data', 'AdditionalSpecs', 'Policies.json'))",
    "print(os.path.join(os.path.dirname(samtranslator.__file__), 'policy_templates_data', 'policy_templates.json'))",
  ].join('\n');
  const result = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  const [policies = '', sam = ''] = result.stdout.trim().split('\n');
  return { policies, sam };
}

/** Actions the Service Authorization Reference lists that cfn-lint 1.51's data does not have yet. */
const NEWER_THAN_CFN_LINT = ['SearchVectors'];

function wildcard(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .toLowerCase()
      .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')}$`,
  );
}

describe.skipIf(!available)('access types against the IAM action list and SAM policy templates', () => {
  const files = available ? pythonData() : { policies: '', sam: '' };
  const services = available ? JSON.parse(readFileSync(files.policies, 'utf8')) : {};
  const dynamodb: Record<string, { Resources?: string[] }> = services.dynamodb?.Actions ?? {};
  const kms: Record<string, unknown> = services.kms?.Actions ?? {};

  it('grants only actions that exist, every wildcard matching at least one', () => {
    for (const access of ACCESS_NAMES) {
      for (const statement of ACCESS_TYPES[access].statements) {
        for (const action of statement.actions) {
          const name = action.replace('dynamodb:', '');
          // Newer than cfn-lint 1.51's data; checked against the Service Authorization Reference in the unit tests.
          if (NEWER_THAN_CFN_LINT.includes(name)) continue;
          expect(
            Object.keys(dynamodb).some((a) => wildcard(name).test(a)),
            `${access}: ${action}`,
          ).toBe(true);
        }
      }
    }
    for (const action of KMS_ACTIONS.write) {
      const name = action.replace('kms:', '');
      expect(
        Object.keys(kms).some((a) => wildcard(name).test(a)),
        action,
      ).toBe(true);
    }
  });

  it('makes PowerUser every action on a table, index, stream or backup but CreateTable, DeleteTable, DeleteBackup and the resource-policy writes', () => {
    // cfn-lint lists every resource type an action takes, not which are required: these also need a global-table.
    const needsGlobalTable = [
      'createglobaltable',
      'updateglobaltable',
      'updateglobaltablesettings',
      'updateglobaltableversion',
    ];
    const scoped = Object.entries(dynamodb)
      .filter(([, v]) => (v.Resources ?? []).some((r) => ['table', 'index', 'stream', 'backup'].includes(r)))
      .map(([a]) => a)
      .filter(
        (a) =>
          ![
            'createtable',
            'deletetable',
            'deletebackup',
            'putresourcepolicy',
            'deleteresourcepolicy',
            ...needsGlobalTable,
          ].includes(a),
      )
      .concat(NEWER_THAN_CFN_LINT.map((a) => a.toLowerCase()))
      .sort();
    expect(POWER_USER_ACTIONS.map((a) => a.replace('dynamodb:', '').toLowerCase()).sort()).toEqual(scoped);
  });

  it('gives the SAM policy names exactly the statements of the SAM templates', () => {
    const templates = JSON.parse(readFileSync(files.sam, 'utf8')).Templates;
    const scopeOf = (resource: unknown): ResourceScope => {
      const text = JSON.stringify(resource);
      if (text.includes('/index/*')) return 'indexes';
      if (text.includes('/backup/*')) return 'backups';
      // SAM names ListStreams on table/<name>/stream/*; IAM only honours it on "*", which the macro uses.
      if (text.includes('/stream/*')) return 'any';
      if (text.includes('/stream/')) return 'stream';
      return 'table';
    };
    for (const access of ACCESS_NAMES.filter((a) => a.startsWith('DynamoDB'))) {
      const expected = templates[access].Definition.Statement.flatMap((s: Record<string, unknown>) => {
        const actions = s.Action as string[];
        const scopes = [s.Resource].flat().map(scopeOf);
        // SAM names ListBackups on the backups, where IAM never matches it (no resource type): the macro puts it
        // on "*" in a statement of its own.
        if (!actions.includes('dynamodb:ListBackups')) return [{ actions, scopes }];
        return [
          { actions: actions.filter((a) => a !== 'dynamodb:ListBackups'), scopes },
          { actions: ['dynamodb:ListBackups'], scopes: ['any'] },
        ];
      });
      const ours = ACCESS_TYPES[access].statements.map((s) => ({
        actions: [...s.actions],
        scopes: [...s.scopes],
      }));
      expect(ours, access).toEqual(expected);
      expect(isRecord(templates[access])).toBe(true);
    }
  });
});
