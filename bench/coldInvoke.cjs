// One cold Lambda-style invocation: load the bundle, answer one request from a file, report peak memory.
const { readFileSync } = require('node:fs');
const { handler } = require(process.argv[2]);
const event = JSON.parse(readFileSync(process.argv[3], 'utf8'));
handler(event).then((response) => {
  process.stdout.write(JSON.stringify({ status: response.status, maxRssKb: process.resourceUsage().maxRSS }));
});
