import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

/**
 * The stages only look back: parse, look up, plan, render, each importing only from itself, from the stages
 * before it and from the shared base (the template helpers, problems, names, access types, the model). The
 * transform sequences the stages; the edges (handler, command line and its commands) may use anything.
 */
const STAGES = ['base', 'parse', 'lookup', 'plan', 'render', 'transform', 'edge'] as const;
type Stage = (typeof STAGES)[number];

function stageOf(file: string): Stage {
  const [top, folder] = file.split('/');
  if (top !== 'src') throw new Error(`${file} is not in src/`);
  if (folder === 'parse' || folder === 'lookup' || folder === 'plan' || folder === 'render') return folder;
  if (folder === 'template') return 'base';
  if (folder === 'transform.ts') return 'transform';
  if (['handler.ts', 'cli.ts', 'cli', 'explain.ts', 'migrate.ts'].includes(folder ?? '')) return 'edge';
  return 'base';
}

interface Edge {
  readonly from: string;
  readonly to: string;
}

/** The imports that look forward: from a stage to a later one, or out of `src/` (tests, scripts) but for the version. */
function backwardFailures(edges: readonly Edge[]): string[] {
  return edges.flatMap(({ from, to }) => {
    if (to === 'package.json') return []; // the version the command line prints
    if (!to.startsWith('src/')) return [`${from} imports ${to}, outside src/`];
    const own = STAGES.indexOf(stageOf(from));
    const other = STAGES.indexOf(stageOf(to));
    return other > own ? [`${from} (${stageOf(from)}) imports ${to} (${stageOf(to)}), a later stage`] : [];
  });
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|js)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every relative import of `src/`, static, dynamic or in a type, as repository paths of `.ts` files. */
function importEdges(): Edge[] {
  return sourceFiles('src').flatMap((from) => {
    const { importedFiles } = ts.preProcessFile(readFileSync(join(ROOT, from), 'utf8'), true, true);
    return importedFiles
      .filter(({ fileName }) => fileName.startsWith('.'))
      .map(({ fileName }) => ({
        from,
        to: relative(ROOT, join(ROOT, dirname(from), fileName)).replace(/\.js$/, '.ts'),
      }));
  });
}

describe('the direction of dependencies', () => {
  const edges = importEdges();

  it('sees the imports it checks', () => {
    expect(edges).toContainEqual({ from: 'src/transform.ts', to: 'src/render/template.ts' });
    expect(edges).toContainEqual({ from: 'src/render/template.ts', to: 'src/plan/grants.ts' });
    expect(edges.length).toBeGreaterThan(100);
  });

  it('has no stage importing a later one, and nothing in src/ importing tests or scripts', () => {
    expect(backwardFailures(edges)).toEqual([]);
  });

  it('refuses an import that looks forward', () => {
    const forward = [
      { from: 'src/plan/grants.ts', to: 'src/render/policies.ts' },
      { from: 'src/model.ts', to: 'src/plan/kms.ts' },
      { from: 'src/parse/parseSection.ts', to: 'src/lookup/port.ts' },
      { from: 'src/template/view.ts', to: 'src/parse/schema.ts' },
      { from: 'src/render/template.ts', to: 'src/transform.ts' },
      { from: 'src/problems.ts', to: 'test/helpers.ts' },
    ];
    expect(backwardFailures(forward)).toHaveLength(forward.length);
    expect(backwardFailures([{ from: 'src/render/template.ts', to: 'src/plan/grants.ts' }])).toEqual([]);
  });
});

/**
 * One way to report problems: a function that finds one pushes it into the `problems` sink it is given, and
 * returns its value (undefined when it has none). No function returns what it found as `T | Problem` (told apart
 * with `'code' in`) or as a list, and only the transform, which sequences the stages, reads the sink's length to
 * decide whether to go on (the edges count problems to print them).
 */
const READS_SINK_LENGTH = new Set(['src/transform.ts', 'src/cli/output.ts', 'src/migrate.ts']);

function reportingFailures(file: string, text: string): string[] {
  const failures: string[] = [];
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && node.type !== undefined) {
      const type = node.type.getText(source);
      // A function may build one Problem (a constructor such as `problem`); it may not return one it found.
      if (/\bProblem\b/.test(type) && type !== 'Problem') {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
        failures.push(`${file}:${line + 1} returns ${type}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  text.split('\n').forEach((line, i) => {
    if (/['"]code['"]\s+in\b/.test(line))
      failures.push(`${file}:${i + 1} tells a problem apart with 'code' in`);
    if (/\bproblems\.length\b/.test(line) && !READS_SINK_LENGTH.has(file))
      failures.push(`${file}:${i + 1} reads the length of the problems`);
  });
  return failures;
}

describe('one way to report problems', () => {
  it('has no function in src/ returning problems, telling them apart with `code` in, or reading the sink', () => {
    const files = sourceFiles('src').filter((f) => f.endsWith('.ts') && f !== 'src/problems.ts');
    expect(files.length).toBeGreaterThan(40);
    expect(files.flatMap((f) => reportingFailures(f, readFileSync(join(ROOT, f), 'utf8')))).toEqual([]);
  });

  it('refuses each of the other ways', () => {
    const others = [
      'function a(v: unknown): Role | Problem { return v as Role; }',
      'function b(): { value: number; problems: Problem[] } { return { value: 1, problems: [] }; }',
      'function c(): readonly Problem[] { return []; }',
      "function d(x: Role) { if ('code' in x) return; }",
      'function e(problems: Problem[]) { const before = problems.length; }',
    ];
    for (const other of others) expect(reportingFailures('src/plan/x.ts', other), other).toHaveLength(1);
    expect(reportingFailures('src/plan/x.ts', 'function f(): Problem { return p; }')).toEqual([]);
  });
});
