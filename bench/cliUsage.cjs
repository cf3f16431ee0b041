// Preloaded into one run of the command line (`node -r bench/cliUsage.cjs dist/cli.js ...`): at exit, writes how
// long the process ran after Node's own start and its peak memory to the file CXDDB_USAGE_FILE names.
const started = process.hrtime.bigint();
const { writeFileSync } = require('node:fs');
process.on('exit', () => {
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  writeFileSync(
    process.env.CXDDB_USAGE_FILE,
    JSON.stringify({ ms, maxRssKb: process.resourceUsage().maxRSS }),
  );
});
