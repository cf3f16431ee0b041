/**
 * `npm run lint`'s check that no function of `src/` is longer than MAX_LINES lines, from the line of its first
 * token to the line of its last (a function declaration, a method, a function expression or an arrow function,
 * whatever holds it). The files `biome.json` exempts from the cognitive-complexity rule are exempt here too, until
 * they are split: one list, so that a file leaves both exemptions at once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(import.meta.dirname, '..');
export const MAX_LINES = 60;

/** Every function of `text` longer than `max` lines, as `file:line name (N lines)`. */
export function longFunctions(file: string, text: string, max = MAX_LINES): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = end - start + 1;
      if (lines > max) found.push(`${file}:${start + 1} ${nameOf(node, source)} (${lines} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function nameOf(node: ts.SignatureDeclaration, source: ts.SourceFile): string {
  if (node.name !== undefined) return node.name.getText(source);
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) return parent.name.getText(source);
  return '(anonymous function)';
}

/** What exemptFiles reads of a Biome configuration. */
interface BiomeConfig {
  overrides?: { includes?: string[]; linter?: { rules?: Record<string, Record<string, unknown>> } }[];
}

/**
 * The files of src/ a Biome configuration (by default biome.json's) exempts from the cognitive-complexity rule:
 * those its overrides that turn the rule off include.
 */
export function exemptFiles(
  config: BiomeConfig = JSON.parse(readFileSync(join(ROOT, 'biome.json'), 'utf8')),
): Set<string> {
  const exempt = new Set<string>();
  for (const override of config.overrides ?? []) {
    if (override.linter?.rules?.complexity?.noExcessiveCognitiveComplexity !== 'off') continue;
    for (const path of override.includes ?? []) if (path.startsWith('src/')) exempt.add(path);
  }
  return exempt;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every function of `src/` over MAX_LINES lines, but in the exempt files. */
function checkSource(): string[] {
  const exempt = exemptFiles();
  return sourceFiles('src')
    .filter((file) => !exempt.has(file))
    .flatMap((file) => longFunctions(file, readFileSync(join(ROOT, file), 'utf8')));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const found = checkSource();
  for (const line of found) console.error(line);
  if (found.length > 0) {
    console.error(`${found.length} function(s) over ${MAX_LINES} lines: split them`);
    process.exit(1);
  }
}
