// `npm run bench` in its smallest form (200 customers, no latency): the whole benchmark runs — naive loader, bare
// pipe, the product with idle and change runs, the large run, one and two workers, every mapping's first full
// synchronization of the demo data — and its JSON holds every figure.
// Timings are not asserted (a loaded CI machine decides them); the figures' presence and shape are.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { applyMappingOverrides, defaultMappings, demoMappingOverrides, demoScheduledMappings } from '../../mappings';

const FIGURES = [
  'productRecordsPerSecond',
  'naiveRecordsPerSecond',
  'barePipeRecordsPerSecond',
  'barePipeSequentialRecordsPerSecond',
  'productVsNaive',
  'productVsBarePipe',
  'requestsPerRecord',
  'idleRequestsBc',
  'idleRequestsDv',
  'changesTimeRatio',
  'changesRequestRatio',
  'historyEventsPer1000Records',
  'peakRssMbAtCustomers',
  'peakRssMbAtLarge',
  'twoWorkersSpeedup',
  'scaleOutDuplicates',
];

describe('npm run bench --smoke', function () {
  this.timeout(600_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'bcsync-bench-test-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes every figure of the benchmark, with the goals and the runs behind them', async () => {
    const out = path.join(dir, 'bench.json');
    const root = path.join(__dirname, '..', '..');
    const child = spawn(
      process.execPath,
      ['-r', './scripts/register.js', 'scripts/bench.ts', '--smoke', '--out', out],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0, output);

    const report = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(report.kind, 'smoke');
    for (const name of FIGURES) {
      assert.equal(typeof report.figures[name], 'number', `${name}: ${report.figures[name]}`);
      assert.ok(Number.isFinite(report.figures[name]), `${name}: ${report.figures[name]}`);
    }
    assert.deepEqual(Object.keys(report.figures).sort(), [...FIGURES].sort());
    assert.equal(report.goals.length, 12);
    for (const goal of report.goals) assert.equal(typeof goal.met, 'boolean', goal.figure);

    // The runs behind the figures moved the records they were given, each exactly once.
    const { details } = report;
    const inFilter = details.product.records;
    assert.ok(inFilter > 150 && inFilter <= 200, `records in the filter: ${inFilter}`);
    for (const run of [details.naive, details.barePipe, details.barePipeSequential]) {
      assert.equal(run.records, inFilter);
      assert.equal(run.failed, 0);
    }
    assert.equal(details.product.failed, 0);
    // The idle run follows a run that wrote nothing, and writes nothing itself.
    assert.equal(details.settleRuns[details.settleRuns.length - 1].written, 0);
    assert.equal(details.idleRun.written, 0);
    // An idle run reads one page of changes per pass: one request per side for a bidirectional mapping.
    assert.deepEqual(details.idleRun.bySet, { bc: { customerCards: 1 }, dv: { accounts: 1 } });
    assert.equal(details.changes.small.written, 20);
    assert.equal(details.changes.large.written, 20);
    for (const run of details.scaleOut.runs) {
      assert.equal(run.records, inFilter);
      assert.equal(run.couplings, inFilter);
      assert.equal(run.accountsCreated, inFilter);
      assert.equal(run.duplicates, 0);
    }
    assert.equal(details.scaleOut.runs[1].peakRssMb.length, 2);
    // Every mapping that has data ran its first full synchronization: each moved records, and only the demo's
    // currency without an exchange rate failed.
    const everyMapping = details.everyMapping.mappings as Array<{ mapping: string; records: number; failed: number }>;
    assert.deepEqual(
      everyMapping.map((m) => m.mapping).sort(),
      demoScheduledMappings(applyMappingOverrides(defaultMappings(), demoMappingOverrides)).sort(),
    );
    for (const m of everyMapping) {
      assert.ok(m.records > 0, `${m.mapping}: ${JSON.stringify(m)}`);
      assert.equal(m.failed, m.mapping === 'CURRENCY' ? 1 : 0, `${m.mapping}: ${JSON.stringify(m)}`);
    }
    // The table is printed.
    assert.match(output, /product vs bare pipe/);
  });
});
