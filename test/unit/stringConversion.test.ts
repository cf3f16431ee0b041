import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * No template data is converted to text by JavaScript's own rules anywhere in src: a value with its own
 * `toString` or `valueOf` key (`{toString: 1}`) makes `String(x)`, `${x}` and `x + ''` throw, and a mapping
 * becomes "[object Object]". Only text, numbers and booleans may be interpolated or passed to String(); anything
 * else goes through `show` (src/problems.ts). Checked with the type checker, as typescript-eslint's
 * restrict-template-expressions would.
 */

const ROOT = join(import.meta.dirname, '../..');

function conversions(): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: () => {},
    },
  );
  if (!config) throw new Error('tsconfig.json');
  const program = ts.createProgram(
    config.fileNames.filter((f) => f.includes('/src/')),
    config.options,
  );
  const checker = program.getTypeChecker();
  // Number() of nothing is NaN, which a number check then refuses: an optional regex group may be read so.
  const primitive = (type: ts.Type, orUndefined = false): boolean => {
    if (type.isUnion()) return type.types.every((t) => primitive(t, orUndefined));
    const flags =
      ts.TypeFlags.StringLike |
      ts.TypeFlags.NumberLike |
      ts.TypeFlags.BooleanLike |
      (orUndefined ? ts.TypeFlags.Undefined : 0);
    return (type.flags & flags) !== 0;
  };
  const found: string[] = [];
  for (const file of program.getSourceFiles()) {
    if (!file.fileName.includes('/src/') || file.isDeclarationFile) continue;
    const report = (node: ts.Node, what: string): void => {
      const { line } = file.getLineAndCharacterOfPosition(node.getStart());
      found.push(
        `${file.fileName.slice(ROOT.length + 1)}:${line + 1}: ${what} ${node.getText().slice(0, 60)}`,
      );
    };
    const visit = (node: ts.Node): void => {
      if (ts.isTemplateSpan(node) && !primitive(checker.getTypeAtLocation(node.expression)))
        report(node.expression, 'interpolates');
      if (
        ts.isCallExpression(node) &&
        ts.isIdentifier(node.expression) &&
        (node.expression.text === 'String' || node.expression.text === 'Number') &&
        node.arguments[0] !== undefined &&
        !primitive(checker.getTypeAtLocation(node.arguments[0]), node.expression.text === 'Number')
      )
        report(node, 'converts');
      if (
        ts.isBinaryExpression(node) &&
        node.operatorToken.kind === ts.SyntaxKind.PlusToken &&
        primitive(checker.getTypeAtLocation(node.left)) !== primitive(checker.getTypeAtLocation(node.right))
      )
        report(node, 'concatenates');
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
        const method = node.expression.name.text;
        const receiver = checker.getTypeAtLocation(node.expression.expression);
        // `[a, b].join()` and `.sort()` without a comparison convert every item with its own toString.
        const items =
          checker.isArrayType(receiver) || checker.isTupleType(receiver)
            ? checker.getTypeArguments(receiver as ts.TypeReference)
            : undefined;
        if (
          items !== undefined &&
          (method === 'join' || (method === 'sort' && node.arguments.length === 0)) &&
          !items.every((item) => primitive(item))
        )
          report(node, method === 'join' ? 'joins' : 'sorts');
        // A library's own objects (a YAML document) may have their toString called; template data may not.
        const data =
          (receiver.flags & (ts.TypeFlags.Unknown | ts.TypeFlags.Any)) !== 0 ||
          receiver.getStringIndexType() !== undefined;
        if (method === 'toString' && data) report(node, 'converts');
      }
      if (
        ts.isBinaryExpression(node) &&
        [
          ts.SyntaxKind.LessThanToken,
          ts.SyntaxKind.GreaterThanToken,
          ts.SyntaxKind.LessThanEqualsToken,
          ts.SyntaxKind.GreaterThanEqualsToken,
        ].includes(node.operatorToken.kind) &&
        !(primitive(checker.getTypeAtLocation(node.left)) && primitive(checker.getTypeAtLocation(node.right)))
      )
        report(node, 'compares');
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return found;
}

describe('string conversion', () => {
  it('src interpolates, concatenates, joins, sorts, compares, String()s and Number()s only text, numbers and booleans', () => {
    expect(conversions()).toEqual([]);
  }, 60_000);
});
