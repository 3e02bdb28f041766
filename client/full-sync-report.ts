/**
 * The closing report of a full synchronization (`bcsync full-sync --wait`, `npm start`): per mapping what was matched,
 * created, failed, skipped and ambiguous; the failures grouped by message; and recommendations in the manner of
 * Business Central's "Full Synch. Review" page (bc-sync-semantics §6.1–§6.2): which mappings still need attention and
 * the command that gives it. Pure: the caller fetches the error messages and the run history.
 */
import type { FullSyncMappingResult, FullSyncResult } from '../engine/full-sync-types';

/** Failures of one mapping that share a message once record names and ids are blanked out. */
export interface ErrorGroup {
  mapping: string;
  /** The message with quoted values, parenthesised names and GUIDs replaced by `…`. */
  pattern: string;
  count: number;
  /** One real message of the group. */
  example: string;
  jobIds: number[];
}

/**
 * Groups error messages by mapping and pattern, largest group first. Messages name their record
 * (`Dataverse contact 'Thomas Hansen' cannot …`), so the names are blanked before grouping.
 */
export function groupErrorMessages(rows: readonly { jobId: number; mapping: string; message: string }[]): ErrorGroup[] {
  const groups = new Map<string, ErrorGroup>();
  for (const r of rows) {
    const pattern = r.message
      .replace(/'[^']*'/g, "'…'")
      .replace(/\([^()]*\)/g, '(…)')
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '…');
    const key = `${r.mapping}\u0000${pattern}`;
    const g = groups.get(key) ?? { mapping: r.mapping, pattern, count: 0, example: r.message, jobIds: [] };
    g.count += 1;
    if (!g.jobIds.includes(r.jobId)) g.jobIds.push(r.jobId);
    groups.set(key, g);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.mapping.localeCompare(b.mapping));
}

/** The job ids a mapping's child run wrote (its coupling job and its synchronization passes). */
export function jobIdsOf(m: FullSyncMappingResult): number[] {
  const ids: number[] = [];
  if (m.result?.jobId != null) ids.push(m.result.jobId);
  for (const p of m.result?.sync?.passes ?? []) ids.push(p.jobId);
  return ids;
}

/** One recommendation: a mapping, why it needs attention, and what to run. */
export interface Recommendation {
  mapping: string;
  reason: string;
  action: string;
}

/**
 * What still needs doing after a full synchronization, per mapping: a mapping that failed or was not run because a
 * dependency failed, has never completed a run, has ambiguous (or, in a dry run, unmatched) records, or has failed or
 * skipped records. `everCompleted` says which mappings have a completed job (succeeded or completed with errors).
 */
export function recommendations(result: FullSyncResult, everCompleted: ReadonlySet<string>): Recommendation[] {
  const out: Recommendation[] = [];
  const rerun = (m: string) => `bcsync full-sync --mapping '${m}'`;
  for (const m of result.mappings) {
    if (m.state === 'failed') {
      out.push({
        mapping: m.mapping,
        reason: `failed: ${m.reason ?? 'see the Temporal UI'}`,
        action: rerun(m.mapping),
      });
      continue;
    }
    if (m.state === 'not-run') {
      // A mapping that is not runnable (statistics job, incomplete) is reported, not recommended.
      if (m.layer >= 0) out.push({ mapping: m.mapping, reason: m.reason ?? 'not run', action: rerun(m.mapping) });
      continue;
    }
    if (!everCompleted.has(m.mapping)) {
      out.push({
        mapping: m.mapping,
        reason: 'has never completed a run, so the scheduled runs of the mappings that depend on it wait',
        action: result.dryRun ? rerun(m.mapping) : `bcsync run '${m.mapping}' --wait`,
      });
    }
    const c = m.counts;
    if (!c) continue;
    if (c.ambiguous > 0) {
      out.push({
        mapping: m.mapping,
        reason: `${c.ambiguous} record(s) have several equally good matches and were left uncoupled`,
        action: `couple them by hand: bcsync couple '${m.mapping}' --bc ID --dv ID (candidates: bcsync full-sync --mapping '${m.mapping}' --dry-run)`,
      });
    }
    if (result.dryRun && c.unmatched > 0) {
      out.push({
        mapping: m.mapping,
        reason: `${c.unmatched} record(s) have no match and would be created on the other side`,
        action: rerun(m.mapping),
      });
    }
    const syncJobs = (m.result?.sync?.passes ?? []).filter((p) => p.counts.failed > 0).map((p) => p.jobId);
    if (c.failed > 0) {
      out.push({
        mapping: m.mapping,
        reason: `${c.failed} record(s) failed`,
        action: syncJobs.map((j) => `bcsync errors --job ${j}; bcsync retry ${j}`).join('; ') || 'bcsync errors',
      });
    }
    if (c.skipped > 0) {
      out.push({
        mapping: m.mapping,
        reason: `${c.skipped} record(s) are skipped (failed twice the same way)`,
        action: `bcsync skipped --mapping '${m.mapping}'; bcsync restore '${m.mapping}' --all once the cause is fixed`,
      });
    }
  }
  return out;
}

/** The report as lines of text. */
export function formatFullSyncReport(
  result: FullSyncResult,
  errors: readonly ErrorGroup[],
  recs: readonly Recommendation[],
): string[] {
  const lines: string[] = [];
  lines.push(`Full synchronization${result.dryRun ? ' (dry run: nothing was written)' : ''}: ${result.outcome}`);
  for (const w of result.warnings) lines.push(`warning: ${w}`);
  lines.push('');
  const header = ['mapping', 'state', 'matched', 'created→DV', 'created→BC', 'failed', 'skipped', 'ambiguous'];
  const rows = result.mappings.map((m) => {
    const c = m.counts;
    const n = (v: number | undefined) => (c ? String(v ?? 0) : '-');
    return [
      m.mapping,
      m.state,
      n(c?.coupled),
      result.dryRun ? n(c?.unmatched) : n(c?.insertedToDataverse),
      result.dryRun ? '-' : n(c?.insertedToBc),
      n(c?.failed),
      n(c?.skipped),
      n(c?.ambiguous),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((v, i) => v.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  lines.push(line(header), ...rows.map(line));
  if (result.dryRun) lines.push('(dry run: created→DV is the number of unmatched records that would be created)');
  for (const m of result.mappings.filter((x) => x.reason)) lines.push(`${m.mapping}: ${m.reason}`);

  if (result.dryRun) {
    for (const m of result.mappings) {
      const r = m.result;
      if (!r) continue;
      if (r.pairs.length) lines.push('', `${m.mapping}: would couple`);
      for (const p of r.pairs.slice(0, 20)) lines.push(`  ${p.bcTitle} ↔ ${p.dvTitle}  (${p.criterion})`);
      if (r.counts.coupled > 20) lines.push(`  … and ${r.counts.coupled - 20} more`);
      if (r.unmatched.length) lines.push(`${m.mapping}: would create`);
      for (const u of r.unmatched.slice(0, 20))
        lines.push(`  ${u.title} (from ${u.side === 'bc' ? 'BC' : 'Dataverse'})`);
      if (r.counts.unmatched > 20) lines.push(`  … and ${r.counts.unmatched - 20} more`);
      for (const a of r.ambiguities.slice(0, 20)) {
        lines.push(`${m.mapping}: ambiguous ${a.sourceTitle}: ${a.candidates.map((c) => c.title).join(', ')}`);
      }
    }
  }

  if (errors.length) {
    lines.push('', 'Failures by message:');
    for (const g of errors) {
      lines.push(`  ${g.mapping}: ${g.count} × ${g.count > 1 ? g.pattern : g.example}`);
      if (g.count > 1) lines.push(`      e.g. ${g.example}`);
      lines.push(`      bcsync errors --job ${g.jobIds.join(' / --job ')}`);
    }
  }
  lines.push('', 'Recommendations:');
  if (!recs.length) lines.push('  none: every mapping is synchronized; the schedules keep it that way');
  for (const r of recs) lines.push(`  ${r.mapping}: ${r.reason}`, `      → ${r.action}`);
  return lines;
}
