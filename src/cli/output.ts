import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Log } from 'sarif';
import packageJson from '../../package.json' with { type: 'json' };
import { ALL_CODES, type Problem, type ProblemCode } from '../problems.js';
import type { Position } from '../template/locations.js';
import { count } from '../words.js';

/** A problem with the place in the file it points at, when the file has one. */
export interface LocatedProblem extends Problem {
  readonly position: Position | undefined;
}

/** What `validate` found in one file. */
export type FileResult =
  | {
      readonly file: string;
      readonly status: 'ok';
      readonly summary: { readonly newTables: number; readonly lookups: number; readonly policies: number };
    }
  | { readonly file: string; readonly status: 'problems'; readonly problems: readonly LocatedProblem[] }
  | { readonly file: string; readonly status: 'skipped'; readonly note: string };

const REPORT_FORMATS = ['text', 'json', 'sarif'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The name a file goes by in reports: `-` (standard input) is `<stdin>`. */
export function displayName(file: string): string {
  return file === '-' ? '<stdin>' : file;
}

/** `FILE:LINE:COL: path: message [CODE]`, the form editors and CI logs link to a place; no place, no line:col. */
function problemLine(file: string, p: LocatedProblem): string {
  const place = p.position === undefined ? '' : `:${p.position.line}:${p.position.column}`;
  return `${displayName(file)}${place}: ${p.path === '' ? '(template)' : p.path}: ${p.message} [${p.code}]`;
}

/** The problems of one file, then how many there are. */
export function problemLines(file: string, problems: readonly LocatedProblem[]): string {
  const lines = problems.map((p) => problemLine(file, p));
  lines.push(`${count(problems.length, 'problem')} in ${displayName(file)}`);
  return `${lines.join('\n')}\n`;
}

/** The report of `validate` in the format asked for. Skipped files are notes, which the command prints apart. */
export function formatReport(results: readonly FileResult[], format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(jsonReport(results), null, 2)}\n`;
  if (format === 'sarif') return `${JSON.stringify(sarifReport(results), null, 2)}\n`;
  return results.map(textResult).join('');
}

/**
 * One line for every file skipped, after the report: a hook passes every YAML and JSON file of a repository, and a
 * line for each would bury the problems.
 */
export function skippedNote(results: readonly FileResult[], macroName: string): string | undefined {
  const skipped = results.flatMap((r) => (r.status === 'skipped' ? [displayName(r.file)] : []));
  if (skipped.length === 0) return undefined;
  const shown = skipped.slice(0, 10).join(', ');
  const more = skipped.length > 10 ? ` and ${skipped.length - 10} more` : '';
  return `skipped ${count(skipped.length, 'file')} without ${macroName} in Transform: ${shown}${more}\n`;
}

function textResult(result: FileResult): string {
  if (result.status === 'problems') return problemLines(result.file, result.problems);
  if (result.status === 'skipped') return '';
  const { newTables, lookups, policies } = result.summary;
  return `${displayName(result.file)}: no problems (${count(newTables, 'new table')}, ${count(lookups, 'lookup')}, ${count(policies, 'policy')})\n`;
}

function jsonReport(results: readonly FileResult[]) {
  return {
    files: results.map((r) => {
      const file = displayName(r.file);
      if (r.status === 'ok') return { file, status: r.status, summary: r.summary };
      if (r.status === 'skipped') return { file, status: r.status, note: r.note };
      return {
        file,
        status: r.status,
        problems: r.problems.map((p) => ({
          code: p.code,
          path: p.path,
          message: p.message,
          ...(p.position === undefined ? {} : { line: p.position.line, column: p.position.column }),
        })),
      };
    }),
  };
}

/**
 * A file's URI in SARIF: relative paths stay relative (to the checkout, as code scanning expects), `/` separated;
 * an absolute path is a `file:` URI.
 */
function artifactUri(file: string): string {
  if (file === '-') return 'stdin';
  if (isAbsolute(file)) return pathToFileURL(file).href;
  return encodeURI(file.replace(/\\/g, '/')).replace(/[?#]/g, encodeURIComponent);
}

/**
 * SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/): one run, one rule per problem code with its
 * meaning, one result per problem at its line and column (UTF-16 code units, as JavaScript counts them).
 */
function sarifReport(results: readonly FileResult[]): Log {
  const codes = Object.keys(ALL_CODES) as ProblemCode[];
  const ruleIndex = new Map(codes.map((code, i) => [code, i]));
  const sarifResults = results.flatMap((r) =>
    r.status !== 'problems'
      ? []
      : r.problems.map((p) => ({
          ruleId: p.code,
          ruleIndex: ruleIndex.get(p.code) ?? 0,
          level: 'error' as const,
          message: { text: `${p.path === '' ? '(template)' : p.path}: ${p.message}` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: artifactUri(r.file) },
                ...(p.position === undefined
                  ? {}
                  : { region: { startLine: p.position.line, startColumn: p.position.column } }),
              },
              ...(p.path === ''
                ? {}
                : { logicalLocations: [{ fullyQualifiedName: p.path, kind: 'element' }] }),
            },
          ],
        })),
  );
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0' as const,
    runs: [
      {
        tool: {
          driver: {
            name: packageJson.name,
            version: packageJson.version,
            informationUri: 'https://www.npmjs.com/package/composex-dynamodb',
            rules: codes.map((code) => ({
              id: code,
              shortDescription: { text: ALL_CODES[code] },
              defaultConfiguration: { level: 'error' as const },
            })),
          },
        },
        columnKind: 'utf16CodeUnits' as const,
        results: sarifResults,
      },
    ],
  };
}
