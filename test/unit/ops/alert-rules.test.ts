/**
 * The shipped Prometheus alert rules (ops/prometheus/bcsync-alerts.yml) parsed and checked against the metrics the
 * product exports (promtool could not be built here within budget, see docs/operations.md): every expression uses only
 * metric names of the sync metrics registry (histogram series included), only labels those metrics carry, only known
 * PromQL words; every rule has a severity, a summary, a description naming only labels its expression keeps, and a
 * runbook link to a section of docs/operations.md; the alerts issue 11 asks for are all there.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { Histogram } from 'prom-client';
import { parse } from 'yaml';
import { defaultMappings } from '../../../mappings';
import { createSyncMetrics } from '../../../worker/sync-metrics';

const root = path.join(__dirname, '..', '..', '..');
const rulesFile = path.join(root, 'ops', 'prometheus', 'bcsync-alerts.yml');

interface Rule {
  alert?: string;
  expr?: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** PromQL words the rules may use besides metric and label names. */
const PROMQL_WORDS = new Set([
  'by',
  'on',
  'without',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'sum',
  'max',
  'min',
  'avg',
  'count',
  'time',
  'rate',
  'increase',
  'delta',
  'deriv',
  'absent',
  'clamp_min',
]);

/** The metric series the product exports, with the labels of each (gauges are never collected here: no store). */
function exportedSeries(): Map<string, Set<string>> {
  const { registry } = createSyncMetrics({ knex: null as unknown as Knex, mappings: defaultMappings() });
  const series = new Map<string, Set<string>>();
  for (const m of registry.getMetricsAsArray()) {
    const { name, labelNames } = m as unknown as { name: string; labelNames: string[] };
    series.set(name, new Set(labelNames));
    if (m instanceof Histogram) {
      series.set(`${name}_bucket`, new Set([...labelNames, 'le']));
      series.set(`${name}_sum`, new Set(labelNames));
      series.set(`${name}_count`, new Set(labelNames));
    }
  }
  return series;
}

/** The anchors of docs/operations.md's headings, as GitHub renders them. */
function operationsAnchors(): Set<string> {
  const text = readFileSync(path.join(root, 'docs', 'operations.md'), 'utf8');
  return new Set(
    [...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
      m[1]
        .trim()
        .toLowerCase()
        .replace(/[^a-z0-9 _-]/g, '')
        .replace(/ /g, '-'),
    ),
  );
}

const rules: Rule[] = (
  parse(readFileSync(rulesFile, 'utf8')) as { groups: Array<{ name: string; rules: Rule[] }> }
).groups.flatMap((g) => g.rules);

describe('the Prometheus alert rules (ops/prometheus/bcsync-alerts.yml)', () => {
  const series = exportedSeries();

  it('ship the alerts operators need: failed records, no successful run, skipped records growing, throttling', () => {
    const names = rules.map((r) => r.alert);
    for (const wanted of [
      'BcSyncRecordsFailed',
      'BcSyncNoSuccessfulRun',
      'BcSyncSkippedRecordsGrowing',
      'BcSyncApiThrottled',
    ]) {
      assert.ok(names.includes(wanted), `${wanted} is among ${names.join(', ')}`);
    }
    assert.equal(new Set(names).size, names.length, 'alert names are unique');
  });

  it('are all prefixed metric names the product exports, with their labels', () => {
    assert.ok(series.has('bcsync_records_total') && series.has('bcsync_pass_duration_seconds_count'));
    for (const r of rules) {
      assert.ok(r.alert && r.expr, `a rule has alert and expr: ${JSON.stringify(r)}`);
      const expr = r.expr.replace(/"[^"]*"/g, '""');
      const words = [...expr.replace(/\[[^\]]*\]/g, '').matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)].map((m) => m[0]);
      const metrics = words.filter((w) => w.startsWith('bcsync_'));
      assert.ok(metrics.length > 0, `${r.alert} uses a bcsync_ metric`);
      for (const m of metrics) assert.ok(series.has(m), `${r.alert}: ${m} is exported`);
      const labels = new Set(
        [
          ...[...expr.matchAll(/\b(?:by|on|without|ignoring)\s*\(([^)]*)\)/g)].flatMap((m) => m[1].split(',')),
          ...[...expr.matchAll(/\{([^}]*)\}/g)].flatMap((m) =>
            [...m[1].matchAll(/([a-zA-Z_]\w*)\s*[=!]/g)].map((x) => x[1]),
          ),
        ]
          .map((l) => l.trim())
          .filter(Boolean),
      );
      for (const l of labels) {
        for (const m of metrics) assert.ok(series.get(m)!.has(l), `${r.alert}: ${m} has the label ${l}`);
      }
      const unknown = words.filter((w) => !w.startsWith('bcsync_') && !labels.has(w) && !PROMQL_WORDS.has(w));
      assert.deepEqual(unknown, [], `${r.alert}: only known PromQL words`);
      // Balanced parentheses: a cheap syntax check promtool would do properly.
      let depth = 0;
      for (const ch of expr) {
        depth += ch === '(' ? 1 : ch === ')' ? -1 : 0;
        assert.ok(depth >= 0, `${r.alert}: parentheses balance`);
      }
      assert.equal(depth, 0, `${r.alert}: parentheses balance`);
    }
  });

  it('carry a severity, a summary and a description naming only kept labels, and a runbook section', () => {
    const anchors = operationsAnchors();
    for (const r of rules) {
      assert.ok(['warning', 'critical'].includes(r.labels?.severity ?? ''), `${r.alert}: severity`);
      const a = r.annotations ?? {};
      assert.ok(a.summary && a.description, `${r.alert}: summary and description`);
      const kept = new Set(
        [...r.expr!.matchAll(/\b(?:by|on)\s*\(([^)]*)\)/g)].flatMap((m) => m[1].split(',').map((l) => l.trim())),
      );
      for (const text of [a.summary, a.description]) {
        for (const m of text.matchAll(/\$labels\.([a-zA-Z_]\w*)/g)) {
          assert.ok(kept.has(m[1]), `${r.alert}: the expression keeps the label ${m[1]} its annotations name`);
        }
      }
      const runbook = /^docs\/operations\.md#([a-z0-9-]+)$/.exec(a.runbook_url ?? '');
      assert.ok(runbook, `${r.alert}: runbook_url points into docs/operations.md`);
      assert.ok(anchors.has(runbook[1]), `${r.alert}: docs/operations.md has the section #${runbook[1]}`);
      if (r.for !== undefined) assert.match(r.for, /^\d+[smh]$/, `${r.alert}: for is a duration`);
    }
  });
});
