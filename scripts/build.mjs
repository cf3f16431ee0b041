// Bundles the Lambda handler and the CLI into CommonJS files under dist/ (the Lambda runtime is nodejs22.x). This is
// the only build: `sam build` runs it through the Makefile.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  // A map beside each file, without the sources (the stack's positions are enough). Node reads it only when
  // NODE_OPTIONS has --enable-source-maps, which costs a cold start about 30 ms more (README, "Speed and size").
  sourcemap: 'linked',
  sourcesContent: false,
};

mkdirSync('dist', { recursive: true });
// The package is ESM for its sources; the bundles are CommonJS, which loads the SDK without a require shim.
writeFileSync('dist/package.json', '{ "type": "commonjs" }\n');
await Promise.all([
  build({ ...common, entryPoints: ['src/handler.ts'], outfile: 'dist/handler.js', metafile: false }),
  build({ ...common, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js' }),
  build({ ...common, entryPoints: ['src/lookup/awsFinder.ts'], outfile: 'dist/lookup.js' }),
]);
chmodSync('dist/cli.js', 0o755);
