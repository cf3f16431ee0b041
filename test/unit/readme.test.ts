import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, isCommand } from '../../src/cli/usage.js';
import { ROOT, readYaml } from '../helpers.js';

/** The README's commands against the CLI's own table of commands and options, and against samconfig.toml. */

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/**
 * Every line of every code block, continuation lines (`\` at the end) joined, comments after ` #` dropped; and
 * every inline code span that runs the command.
 */
const COMMAND_LINES = [
  ...[...README.matchAll(/```\w*\n([\s\S]*?)```/g)].flatMap((block) =>
    (block[1] ?? '')
      .replace(/\\\n\s*/g, ' ')
      .split('\n')
      .map((line) => line.replace(/\s+#\s.*$/, '').trim())
      .filter((line) => line !== ''),
  ),
  ...[...README.matchAll(/`((?:node dist\/cli\.js|composex-dynamodb) [^`]+)`/g)].map((m) => m[1] ?? ''),
];

/** The CLI invocations: `composex-dynamodb COMMAND ...`, `npx [--yes] composex-dynamodb ...`, `node dist/cli.js ...`. */
const INVOCATIONS = COMMAND_LINES.flatMap((line) => {
  const found = /(?:^|[\s:])(?:composex-dynamodb|node dist\/cli\.js)\s+([a-z-]+)(.*)$/.exec(line);
  return found ? [{ line, command: found[1] ?? '', rest: found[2] ?? '' }] : [];
});

describe('the README', () => {
  it('shows a synopsis for every command, with exactly the options the command takes', () => {
    for (const [name, command] of Object.entries(COMMANDS)) {
      const synopsis = INVOCATIONS.find((i) => i.command === name && i.line.startsWith('composex-dynamodb '));
      expect(synopsis, `no synopsis for ${name}`).toBeDefined();
      const rest = synopsis?.rest ?? '';
      expect(rest.trim().split(' ')[0]).toBe(command.operands);
      const flags = [...rest.matchAll(/\[--([a-z-]+)/g)].map((m) => m[1]);
      expect(flags, name).toEqual([...command.options]);
      if (command.formats.length > 0) expect(rest).toContain(`[--format ${command.formats.join('|')}]`);
    }
    for (const flag of ['--help', '--version']) expect(README).toContain(flag);
  });

  it('uses every command with options it takes and values they accept', () => {
    expect(INVOCATIONS.length).toBeGreaterThan(Object.keys(COMMANDS).length + 3);
    for (const { line, command, rest } of INVOCATIONS) {
      if (command === 'help') continue;
      expect(isCommand(command), line).toBe(true);
      if (!isCommand(command)) continue;
      const spec = COMMANDS[command];
      for (const [, flag] of rest.matchAll(/--([a-z-]+)/g)) {
        expect([...spec.options, 'help', 'version'], `${line}: --${flag}`).toContain(flag);
      }
      const format = /--format ([a-z]+)\b(?!\|)/.exec(rest)?.[1];
      if (format !== undefined) expect(spec.formats as readonly string[], line).toContain(format);
    }
  });

  it('deploys only to samconfig.toml environments that exist', () => {
    const samconfig = readFileSync(join(ROOT, 'samconfig.toml'), 'utf8');
    const environments = new Set(
      [...samconfig.matchAll(/^\[([\w-]+)\.deploy\.parameters\]/gm)].map((m) => m[1]),
    );
    const used = COMMAND_LINES.flatMap((line) => {
      const loop = /^for (\w+) in ([^;]+); do .*--config-env "?\$\1"?/.exec(line);
      if (loop) return (loop[2] ?? '').trim().split(/\s+/);
      return [...line.matchAll(/--config-env\s+"?([\w-]+)"?/g)].map((m) => m[1] ?? '');
    });
    expect(used.length).toBeGreaterThan(0);
    for (const environment of used)
      expect([...environments], `--config-env ${environment}`).toContain(environment);
  });

  it('acknowledges CAPABILITY_AUTO_EXPAND wherever the macro template is deployed without a change set', () => {
    // template.yaml has a transform (AWS::Serverless-2016-10-31), which sam package keeps in packaged.yaml.
    expect(readYaml(join(ROOT, 'template.yaml')).Transform).toBeDefined();
    const direct = COMMAND_LINES.filter((line) =>
      /aws cloudformation (create|update)-stack(-set)?\s/.test(line),
    );
    expect(direct.length).toBeGreaterThan(0);
    for (const line of direct) {
      expect(line).toMatch(/--capabilities [^-]*CAPABILITY_IAM/);
      expect(line).toMatch(/--capabilities [^-]*CAPABILITY_AUTO_EXPAND/);
    }
  });

  it('names the pre-commit hook that .pre-commit-hooks.yaml defines', () => {
    const hooks = readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8');
    const id = /^- id: (\S+)$/m.exec(hooks)?.[1];
    expect(id).toBeDefined();
    expect(COMMAND_LINES).toContain(`- id: ${id}`);
  });
});
