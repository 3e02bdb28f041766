'use strict';
// Mocha's spec reporter plus the ten slowest test files (to keep the suite's time in view) and one plain closing line,
// `mocha: N passed, N failed, N skipped`, that CI reads.
const path = require('node:path');
const Mocha = require('mocha');

const { EVENT_RUN_END, EVENT_SUITE_BEGIN, EVENT_SUITE_END } = Mocha.Runner.constants;

class SpecWithSummary extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const fileMs = new Map();
    const started = new Map();
    runner.on(EVENT_SUITE_BEGIN, (suite) => {
      if (suite.file && suite.parent && suite.parent.root) started.set(suite, Date.now());
    });
    runner.on(EVENT_SUITE_END, (suite) => {
      const t = started.get(suite);
      if (t === undefined) return;
      const file = path.relative(process.cwd(), suite.file);
      fileMs.set(file, (fileMs.get(file) ?? 0) + Date.now() - t);
    });
    runner.once(EVENT_RUN_END, () => {
      const s = runner.stats;
      const byTime = [...fileMs].sort((a, b) => b[1] - a[1]);
      // Every file's time, for finding where the suite's minutes go: MOCHA_FILE_TIMES=/tmp/times.json npm test.
      if (process.env.MOCHA_FILE_TIMES) {
        require('node:fs').writeFileSync(process.env.MOCHA_FILE_TIMES, JSON.stringify(byTime, null, 1));
      }
      const slowest = byTime.slice(0, 10);
      if (slowest.length > 1) {
        process.stdout.write('\nslowest test files:\n');
        for (const [file, ms] of slowest) process.stdout.write(`  ${(ms / 1000).toFixed(1).padStart(6)} s  ${file}\n`);
      }
      // A shard of scripts/test-shards.js names itself; the runner prints the one `mocha:` line for all shards.
      const shard = process.env.MOCHA_SHARD;
      process.stdout.write(
        `\n${shard ? `shard ${shard}` : 'mocha'}: ${s.passes} passed, ${s.failures} failed, ${s.pending} skipped\n`,
      );
    });
  }
}

module.exports = SpecWithSummary;
