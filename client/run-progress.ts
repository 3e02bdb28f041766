/**
 * Progress of one `syncMapping` run while `run`/`retry`/`rerun`/`sync-record --wait` waits for it, fed by the
 * workflow's progress query: a cli-progress line on a terminal (records done per pass, pages, rate), and on anything
 * else one plain line every few seconds when something changed. Runs of other workflow types (the statistics job)
 * answer no such query and show nothing.
 */
import { SingleBar } from 'cli-progress';
import type { WorkflowHandle } from '@temporalio/client';
import type { PassCounts, SyncProgress } from '../engine/run-types';
import { syncProgressQuery } from '../workflows/definitions';

const POLL_MS = 1000;

/** The records a pass has looked at: every counter but coupled/uncoupled, which count couplings, not records. */
const countedRecords = (c: PassCounts): number =>
  c.inserted + c.modified + c.deleted + c.unchanged + c.skipped + c.failed;
const PLAIN_EVERY_MS = 5000;

/** `CUSTOMER: to-dataverse 120 records in 2 pages, to-bc running (page 1)`. */
export function runProgressLine(p: SyncProgress, elapsedMs: number): string {
  const records = p.passes.reduce((n, x) => n + countedRecords(x.counts), 0);
  const passes = p.passes.map((x) => {
    const n = countedRecords(x.counts);
    const running = p.current?.direction === x.direction ? `, running page ${p.current.pages + 1}` : '';
    return `${x.direction} ${n} record${n === 1 ? '' : 's'} in ${x.pages} page${x.pages === 1 ? '' : 's'}${running}`;
  });
  const rate = elapsedMs > 0 ? Math.round((records * 1000) / elapsedMs) : 0;
  return `${p.mapping}: ${p.phase === 'planning' ? 'planning' : passes.join(', ') || 'starting'} (${rate} records/s)`;
}

/** Shows the run's progress until the returned function is called (which clears a terminal line). */
export function showRunProgress(
  handle: WorkflowHandle,
  o: { tty: boolean; say: (line: string) => void },
): () => Promise<void> {
  const started = Date.now();
  let done = false;
  const bar = o.tty ? new SingleBar({ format: '{line}', hideCursor: true }) : undefined;
  let lastPlain = '';
  let lastPlainAt = 0;
  const poll = async () => {
    while (!done) {
      try {
        const line = runProgressLine(await handle.query(syncProgressQuery), Date.now() - started);
        if (bar) {
          if (!bar.isActive) bar.start(1, 0, { line });
          else bar.update(0, { line });
        } else if (line !== lastPlain && Date.now() - lastPlainAt >= PLAIN_EVERY_MS) {
          o.say(line);
          lastPlain = line;
          lastPlainAt = Date.now();
        }
      } catch {
        // Not answerable (yet, or at all for this workflow type): nothing to show on this tick.
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  };
  const polling = poll();
  return async () => {
    done = true;
    await polling;
    bar?.stop();
  };
}
