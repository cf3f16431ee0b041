// One cold Lambda-style invocation: load the bundle, answer one request from a file; report peak memory and how
// long each phase took (hrtime, which loads nothing; `performance` would load perf_hooks into the measurement).
const started = process.hrtime.bigint();
const { readFileSync } = require('node:fs');
const { handler } = require(process.argv[2]);
const loaded = process.hrtime.bigint();
const event = JSON.parse(readFileSync(process.argv[3], 'utf8'));
const parsed = process.hrtime.bigint();
handler(event).then((response) => {
  const answered = process.hrtime.bigint();
  const ms = (from, to) => Number(to - from) / 1e6;
  process.stdout.write(
    JSON.stringify({
      status: response.status,
      maxRssKb: process.resourceUsage().maxRSS,
      phasesMs: { load: ms(started, loaded), request: ms(loaded, parsed), handler: ms(parsed, answered) },
    }),
  );
});
