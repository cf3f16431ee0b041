/**
 * `npm run lint`'s check for exports nobody needs. An export of `src/` is needed when another file of `src/` uses
 * it (or the build or the benchmark), or when a test uses it and its own module uses it too (exported for a test of
 * something the code runs). It is reported when nothing uses it, when only tests use it (the code never runs it),
 * or when nothing outside its module does (the export is needless). Entry points (the handler, the CLI, the lookups bundle) are used from outside: skipped.
 */
import { relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(import.meta.dirname, '..');
const ENTRY_POINTS = new Set(['src/handler.ts', 'src/cli.ts']);
const GENERATED = 'src/parse/generated/';
/** Where code that runs lives (the macro, the build, the benchmark); tests are the other users. */
const CODE = ['src/', 'scripts/', 'bench/'];

function loadProgram(): ts.Program {
  const configPath = resolve(ROOT, 'tsconfig.json');
  const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, ROOT);
  return ts.createProgram(parsed.fileNames, parsed.options);
}

/** The symbol a name finally stands for, through imports and re-exports. */
function target(checker: ts.TypeChecker, symbol: ts.Symbol): ts.Symbol {
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

/** For each symbol, the files whose code names it (a declaration's own name is not a use). */
function usesBySymbol(program: ts.Program, files: readonly ts.SourceFile[]): Map<ts.Symbol, Set<string>> {
  const checker = program.getTypeChecker();
  const uses = new Map<ts.Symbol, Set<string>>();
  for (const file of files) {
    const name = relative(ROOT, file.fileName);
    const visit = (node: ts.Node): void => {
      if (ts.isIdentifier(node) && !isDeclarationName(node)) {
        const symbol = checker.getSymbolAtLocation(node);
        if (symbol) {
          const resolved = target(checker, symbol);
          const set = uses.get(resolved) ?? new Set<string>();
          uses.set(resolved, set);
          set.add(name);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return uses;
}

function isDeclarationName(node: ts.Identifier): boolean {
  const parent = node.parent;
  return (
    (ts.isFunctionDeclaration(parent) ||
      ts.isClassDeclaration(parent) ||
      ts.isInterfaceDeclaration(parent) ||
      ts.isTypeAliasDeclaration(parent) ||
      ts.isEnumDeclaration(parent) ||
      ts.isVariableDeclaration(parent)) &&
    parent.name === node
  );
}

/** What is wrong with one export, or undefined when something of the code uses it. */
function verdict(users: ReadonlySet<string>, module: string): string | undefined {
  const others = [...users].filter((user) => user !== module);
  if (others.some((user) => CODE.some((folder) => user.startsWith(folder)))) return undefined;
  if (others.length === 0)
    return users.has(module) ? 'exported, but used only in its own module' : 'used nowhere (dead)';
  return users.has(module) ? undefined : `used only by tests (${others.join(', ')})`;
}

/** The findings for one module of `src/`: each export nothing of the code needs. */
function moduleFindings(
  checker: ts.TypeChecker,
  file: ts.SourceFile,
  uses: Map<ts.Symbol, Set<string>>,
): string[] {
  const name = relative(ROOT, file.fileName);
  const moduleSymbol = checker.getSymbolAtLocation(file);
  return (moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : []).flatMap((exported) => {
    const problem = verdict(uses.get(target(checker, exported)) ?? new Set<string>(), name);
    if (problem === undefined) return [];
    const line = file.getLineAndCharacterOfPosition(exported.declarations?.[0]?.getStart() ?? 0).line + 1;
    return [`${name}:${line} ${exported.name}: ${problem}`];
  });
}

/** A module whose exports are checked: in `src/`, not generated, not an entry point (used from outside). */
function checked(file: ts.SourceFile): boolean {
  const name = relative(ROOT, file.fileName);
  return name.startsWith('src/') && !name.startsWith(GENERATED) && !ENTRY_POINTS.has(name);
}

function main(): number {
  const program = loadProgram();
  const checker = program.getTypeChecker();
  const ours = program
    .getSourceFiles()
    .filter((file) => !file.isDeclarationFile && !relative(ROOT, file.fileName).startsWith('..'));
  const uses = usesBySymbol(program, ours);
  const findings = ours.filter(checked).flatMap((file) => moduleFindings(checker, file, uses));
  for (const finding of findings) console.error(finding);
  if (findings.length > 0)
    console.error(`${findings.length} unneeded export(s): remove them or their export`);
  return findings.length > 0 ? 1 : 0;
}

process.exitCode = main();
