import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { migrateFiles } from '../../src/migrate.js';

const migrate = (text: string, name: string) => migrateFiles([{ name, text }]);

import { LIMITS } from '../../src/template/limits.js';
import { readTemplate } from '../../src/template/yaml.js';
import { expand, fixtureFinder, type Json, ROOT } from '../helpers.js';

const COMPOSE = join(ROOT, 'test/fixtures/compose');

function migrated(name: string): Json {
  const result = migrate(readFileSync(join(COMPOSE, name), 'utf8'), name);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return readTemplate(result.text).template as Json;
}

describe('composex-dynamodb migrate', () => {
  it('makes a task definition and a task role per task family, from the ecs.task.family label', () => {
    const out = migrated('families.yml');
    const types = Object.fromEntries(Object.entries(out.Resources as Json).map(([id, r]) => [id, r.Type]));
    expect(types).toEqual({
      bignicefamilyTaskRole: 'AWS::IAM::Role',
      bignicefamily: 'AWS::ECS::TaskDefinition',
      youtooTaskRole: 'AWS::IAM::Role',
      youtoo: 'AWS::ECS::TaskDefinition',
      app03TaskRole: 'AWS::IAM::Role',
      app03: 'AWS::ECS::TaskDefinition',
      privateNamespace: 'AWS::ServiceDiscovery::PrivateDnsNamespace',
    });
    const names = (id: string) => out.Resources[id].Properties.ContainerDefinitions.map((c: Json) => c.Name);
    expect(names('bignicefamily')).toEqual(['app01', 'rproxy']);
    expect(names('youtoo')).toEqual(['rproxy', 'app02']);
    expect(out.Resources.youtoo.Properties.TaskRoleArn).toEqual({ 'Fn::GetAtt': ['youtooTaskRole', 'Arn'] });
    expect(out.Transform).toBe('ComposeXDynamoDB');
  });

  it('carries image, environment, ports and command over; shell variables become parameters', () => {
    const out = migrated('families.yml');
    const [app01, rproxy] = out.Resources.bignicefamily.Properties.ContainerDefinitions;
    expect(app01.Image).toBe('nginx');
    expect(app01.Environment).toEqual([
      { Name: 'LOGLEVEL', Value: 'DEBUG' },
      { Name: 'SHELLY', Value: { 'Fn::Sub': '${SHELL}' } },
      { Name: 'PRICE', Value: '$5' },
    ]);
    expect(app01.PortMappings).toEqual([{ ContainerPort: 5000, Protocol: 'tcp' }]);
    expect(app01.Command).toEqual(['gunicorn', '--bind', '0.0.0.0:5000', 'app:main']);
    expect(rproxy.PortMappings).toEqual([
      { ContainerPort: 80, Protocol: 'tcp' },
      { ContainerPort: 8125, Protocol: 'udp' },
    ]);
    const app03 = out.Resources.app03.Properties.ContainerDefinitions[0];
    expect(app03.Image).toEqual({ Ref: 'app03Image' });
    expect(app03.Environment).toContainEqual({ Name: 'RETRIES', Value: '3' });
    expect(Object.keys(out.Parameters)).toEqual(['SHELL', 'FROMSHELL', 'app03Image', 'VpcId']);
  });

  it('turns service names into targets: a family, a service of a family (Containers), family:service', () => {
    const section = migrated('families.yml')['x-dynamodb'];
    expect(section.tableA.Services).toEqual({
      bignicefamily: { Access: 'RW' },
      // The lowercase access ComposeX read is Access; app02 is one container of youtoo.
      youtoo: { Access: 'RO', ReturnValues: { Arn: 'TABLE_A_ARN' }, Containers: ['app02'] },
      // ComposeX gave a target without Access the variables only.
      app03: { Access: 'VariablesOnly' },
    });
    expect(section.tableB.Services).toEqual({ bignicefamily: { Access: 'RO', Containers: ['app01'] } });
    expect(section.tableA.Settings).toEqual({ 'x-cloudmap': 'privateNamespace' });
  });

  it('converts the list form of Services and resolves anchors and merge keys', () => {
    const out = migrated('legacy.yml');
    expect(out['x-dynamodb'].tableA.Services).toEqual({ app01: { Access: 'RW' }, app02: { Access: 'RO' } });
    expect(out['x-dynamodb'].tableA.Properties.ProvisionedThroughput).toEqual({
      ReadCapacityUnits: 5,
      WriteCapacityUnits: 5,
    });
    expect(out.Resources.app02.Properties.ContainerDefinitions[0]).toMatchObject({
      Image: 'nginx',
      Command: ['python', '-m', 'app'],
      Environment: [{ Name: 'LOGLEVEL', Value: 'DEBUG' }],
    });
  });

  it('reads scalars as ComposeX (PyYAML) does: N is text, yes a boolean, a date text', () => {
    const compose = [
      'services: {app: {image: nginx, environment: {DAY: 2024-01-01}}}',
      'x-dynamodb:',
      '  t:',
      '    Properties:',
      '      AttributeDefinitions: [{AttributeName: n, AttributeType: N}]',
      '      KeySchema: [{AttributeName: n, KeyType: HASH}]',
      '      PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: yes}',
      '      BillingMode: PAY_PER_REQUEST',
      '    Services: {app: {access: RO}}',
    ].join('\n');
    const result = migrate(compose, 'c.yml');
    if (!result.ok) throw new Error(result.problems.join('\n'));
    const out = readTemplate(result.text).template as Json;
    const properties = out['x-dynamodb'].t.Properties;
    expect(properties.AttributeDefinitions[0].AttributeType).toBe('N');
    expect(properties.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled).toBe(true);
    expect(out.Resources.app.Properties.ContainerDefinitions[0].Environment).toEqual([
      { Name: 'DAY', Value: '2024-01-01' },
    ]);
    // ComposeX ignored a lowercase access in the mapping form: the grant it now makes is flagged for a person.
    expect(result.text).toContain(
      '# DECIDE: ComposeX ignored "access" (it reads Access) and gave app no IAM access',
    );
  });

  it('reads several files as one, as ecs-compose-x -f reads them', () => {
    const result = migrateFiles([
      {
        name: 'docker-compose.yml',
        text: 'services:\n  app: {image: nginx, environment: {LOGLEVEL: DEBUG}}\n',
      },
      {
        name: 'tables.yml',
        text: [
          'services:',
          '  app: {environment: {LOGLEVEL: INFO}}',
          'x-dynamodb:',
          '  t:',
          '    Properties: {AttributeDefinitions: [{AttributeName: id, AttributeType: S}], KeySchema: [{AttributeName: id, KeyType: HASH}], BillingMode: PAY_PER_REQUEST}',
          '    Services: {app: {Access: RW}}',
        ].join('\n'),
      },
    ]);
    if (!result.ok) throw new Error(result.problems.join('\n'));
    const out = readTemplate(result.text).template as Json;
    expect(out.Description).toBe(
      'Migrated from docker-compose.yml + tables.yml by composex-dynamodb migrate',
    );
    expect(out.Resources.app.Properties.ContainerDefinitions[0]).toMatchObject({
      Image: 'nginx',
      Environment: [{ Name: 'LOGLEVEL', Value: 'INFO' }],
    });
    expect(out['x-dynamodb'].t.Services).toEqual({ app: { Access: 'RW' } });
  });

  it('says where a person must decide, and what it left out', () => {
    const result = migrate(readFileSync(join(COMPOSE, 'families.yml'), 'utf8'), 'families.yml');
    if (!result.ok) throw new Error('expected a template');
    expect(result.text).toContain('# DECIDE: bignicefamily as a Fargate task');
    expect(result.text).toContain('ExecutionRoleArn');
    expect(result.text).toContain('# DECIDE: ComposeX gave app03 no IAM access');
    expect(result.notes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^x-tags: left alone/),
        expect.stringMatching(/^services\.app01: not carried over: secrets, x-network$/),
      ]),
    );
  });

  it('writes templates the macro accepts', async () => {
    for (const [name, lookups] of [
      ['families.yml', 'families.lookups.json'],
      ['legacy.yml', undefined],
    ] as const) {
      const result = await expand(
        migrated(name),
        lookups ? { finder: fixtureFinder(join(COMPOSE, lookups)) } : {},
      );
      expect(result.ok ? [] : result.problems, name).toEqual([]);
    }
  });

  it('refuses a service name that is no service or family, and what is not a compose file', () => {
    const bad = `services: {app: {image: nginx}}\nx-dynamodb:\n  t:\n    Properties: {}\n    Services: {api: {Access: RO}}\n`;
    expect(migrate(bad, 'c.yml')).toEqual({
      ok: false,
      problems: [
        'c.yml: x-dynamodb.t.Services.api: "api" is no service or task family of the compose file (app)',
      ],
    });
    expect(migrate('services: [a]', 'c.yml').ok).toBe(false);
    expect(migrate('a: [', 'c.yml').ok).toBe(false);
    expect(
      migrate(
        'x-cloudmap: {}\nservices: {a: {image: x}}\nx-dynamodb: {t: {Properties: {}, Settings: {x-cloudmap: nope}}}',
        'c.yml',
      ),
    ).toEqual({
      ok: false,
      problems: ['c.yml: x-cloudmap: has no namespace "nope", which x-dynamodb registers tables in'],
    });
  });

  it('is a command of the CLI: the template on stdout, the notes on stderr', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      stdout: (t: string) => out.push(t),
      stderr: (t: string) => err.push(t),
      readFile: (p: string) => readFileSync(join(ROOT, p), 'utf8'),
      readStdin: () => 'services: {app: {image: nginx}}\n',
      env: {},
      awsFinder: async () => {
        throw new Error('no AWS');
      },
    };
    expect(await runCli(['migrate', 'test/fixtures/compose/legacy.yml'], io)).toBe(0);
    expect(readTemplate(out.join('')).template).toHaveProperty('x-dynamodb.tableA');
    expect(err.join('')).toContain('note: x-defaults: left alone');
    expect(await runCli(['migrate', 'test/fixtures/compose/missing.yml'], io)).toBe(2);
    expect(await runCli(['migrate', 'test/fixtures/compose/legacy.yml', '--region', 'eu-west-1'], io)).toBe(
      2,
    );
    out.length = 0;
    expect(await runCli(['migrate', '-'], io)).toBe(0);
    expect(readTemplate(out.join('')).template).toHaveProperty(
      'Resources.app.Type',
      'AWS::ECS::TaskDefinition',
    );
    // validate on the compose file itself says how to make a template of it.
    out.length = 0;
    expect(await runCli(['validate', 'test/fixtures/compose/families.yml'], io)).toBe(1);
    expect(out.join('')).toContain('this looks like a docker-compose file: `composex-dynamodb migrate FILE`');
  });
});

describe('migrate reads compose files within the limits of templates, and says where one is past them', () => {
  const refused = (text: string): string => {
    const result = migrate(text, 'c.yml');
    if (result.ok) throw new Error('migrated');
    expect(result.problems).toHaveLength(1);
    return result.problems[0] ?? '';
  };

  it('refuses a file larger than a template can be, before parsing it', () => {
    const big = `services: {a: {image: x}}\n#${'x'.repeat(LIMITS.templateBytes)}\n`;
    expect(refused(big)).toBe(
      `c.yml: the compose file is ${big.length} bytes; migrate reads at most 1000000, the largest template CloudFormation accepts`,
    );
  });

  it('refuses more YAML items than the command line reads, at the item that crosses', () => {
    const many = `services:\n  a:\n    image: x\n    labels: [${Array(LIMITS.yamlItems).fill(1).join(',')}]\n`;
    expect(refused(many)).toMatch(/^c\.yml:4:\d+: the file has more than 120000 YAML items/);
  });

  it('refuses nesting deeper than templates take, at its place: in the text, or through an alias', () => {
    // 5,000 levels once overflowed the stack of the library's composer.
    const deep = `services:\n  a:\n    image: x\n    labels: ${'['.repeat(5_000)}${']'.repeat(5_000)}\n`;
    expect(refused(deep)).toBe(`c.yml:4:${13 + LIMITS.depth - 3}: nests deeper than ${LIMITS.depth} levels`);
    const half = LIMITS.depth - 10;
    const aliased = `x-deep: &d ${'['.repeat(half)}${']'.repeat(half)}\nservices:\n  a:\n    image: x\n    labels: ${'['.repeat(20)}*d${']'.repeat(20)}\n`;
    expect(refused(aliased)).toMatch(
      new RegExp(`^c\\.yml: services\\.a\\.labels(\\[0\\])+: nests deeper than ${LIMITS.depth} levels`),
    );
  });

  it('refuses a key given twice in one mapping, at the second', () => {
    expect(refused('services:\n  a: {image: x}\n  a: {image: y}\n')).toBe(
      'c.yml:3:3: the key "a" is given twice in one mapping',
    );
    // A merge key's keys may be given again: that is what merging is for.
    expect(migrate('x-base: &b {image: x}\nservices:\n  a:\n    <<: *b\n    image: y\n', 'c.yml').ok).toBe(
      true,
    );
  });

  it('reads ${...} in one pass, and refuses what docker compose refuses or migrate does not expand', () => {
    const image = (value: string) => {
      const result = migrate(`services:\n  a:\n    image: '${value}'\n`, 'c.yml');
      if (!result.ok) return result.problems;
      return (readTemplate(result.text).template as Json).Resources.a.Properties.ContainerDefinitions[0]
        .Image;
    };
    expect(image('x:${TAG:-1}-${V-2}$${lit}$$Y')).toBe('x:1-2${lit}$Y');
    expect(image('${REPO}/${A?need}:$B ${} ${1}')).toEqual({ 'Fn::Sub': '${REPO}/${A}:${B} ${!} ${!1}' });
    const unclosed = ['c.yml: services.a.image: a `${` without its `}`; write `$${` for a literal `${`'];
    expect(image(`${'${A-'.repeat(3)}x`)).toEqual(unclosed);
    expect(image('${A}${')).toEqual(unclosed);
    expect(image('${A:-${B}}')).toEqual([
      'c.yml: services.a.image: a default holding another `${...}`, which migrate does not expand; write `$${` for a literal `${`',
    ]);
  });

  it('refuses more task families than a template can hold, before writing any', () => {
    const services = Array.from({ length: 251 }, (_, i) => `  s${i}: {image: x}\n`).join('');
    expect(refused(`services:\n${services}`)).toBe(
      'c.yml: services: 251 task families make 502 resources (a task definition and a task role each); a template holds at most 500: migrate the services in parts',
    );
    expect(migrate(`services:\n${services.split('\n').slice(1).join('\n')}`, 'c.yml').ok).toBe(true);
  });
});
