import type { FindOptions, LookupOutcome, LookupRequest, TableFinder } from './port.js';

/**
 * A finder made on first use, once: a template without lookups never loads the AWS SDK. The handler and the
 * command line both take their AWS finder through here.
 */
export function lazyFinder(create: () => Promise<TableFinder>): TableFinder {
  let finder: Promise<TableFinder> | undefined;
  return {
    async findTables(
      requests: readonly LookupRequest[],
      region: string,
      options?: FindOptions,
    ): Promise<readonly LookupOutcome[]> {
      finder ??= create();
      return (await finder).findTables(requests, region, options);
    },
  };
}

/**
 * Where the lookups live: once bundled, a file of their own beside `handler.js` and `cli.js` (scripts/build.mjs
 * bundles `awsFinder.ts` into `dist/lookup.js`); run from the sources, the module in this folder. Variables keep
 * the bundler from inlining either.
 */
const BUNDLED = './lookup.js';
const SOURCE = './awsFinder.js';

/**
 * The AWS finder, loaded when first asked for. The bundle (CommonJS) `require`s the lookups file: through
 * `import()`, Node would first scan its 580 KB for named exports, which costs more than loading it (about 570
 * million instructions, 45 ms here). Run from the sources there is no such file, and `import()` finds the module.
 */
export async function loadAwsFinder(): Promise<TableFinder> {
  const lookups = await loadLookups();
  return lookups.createAwsFinder();
}

async function loadLookups(): Promise<typeof import('./awsFinder.js')> {
  if (typeof require === 'function') {
    try {
      return require(BUNDLED);
    } catch (error) {
      if ((error as { code?: unknown } | undefined)?.code !== 'MODULE_NOT_FOUND') throw error;
    }
  }
  return import(SOURCE);
}
