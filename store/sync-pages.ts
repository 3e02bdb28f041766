/**
 * Queries on `sync_pages`: the committed result of each page of a pass (exactly-once page accounting). A page
 * activity may commit its records in several parts, one transaction each: every part replaces the page's row with the
 * result of all its parts so far (`replacePageResult`), so the row always holds what is committed, and a retried
 * activity resumes after the last committed part.
 */
import type { Db } from './values';

/** Thrown by `replacePageResult` when the stored result is no longer the one the caller read: another attempt of the
 * same page committed a part first (an attempt Temporal gave up on may still be running). The caller's transaction
 * must be rolled back; a retry resumes from what is stored. */
export class PageResultConflictError extends Error {
  constructor(
    readonly jobId: number,
    readonly pageNo: number,
  ) {
    super(`page ${pageNo} of job ${jobId} was committed by another attempt meanwhile`);
    this.name = 'PageResultConflictError';
  }
}

/** The stored result of page `pageNo` of job `jobId`, or undefined when that page has not been committed. */
export async function getPageResult<T>(db: Db, jobId: number, pageNo: number): Promise<T | undefined> {
  return (await readPageResult<T>(db, jobId, pageNo))?.result;
}

/**
 * The stored result of a page with its stored text, which `replacePageResult` takes to replace exactly that result;
 * undefined when the page has not been committed.
 */
export async function readPageResult<T>(
  db: Db,
  jobId: number,
  pageNo: number,
): Promise<{ result: T; text: string } | undefined> {
  const row = await db('sync_pages').where({ job_id: jobId, page_no: pageNo }).first('result');
  return row ? { result: JSON.parse(row.result as string) as T, text: row.result as string } : undefined;
}

/** Stores the result of a page; call inside the page's commit transaction. Throws if the page was already stored. */
export async function savePageResult(db: Db, jobId: number, pageNo: number, result: unknown, now: Date): Promise<void> {
  await db('sync_pages').insert({ job_id: jobId, page_no: pageNo, result: JSON.stringify(result), created_at: now });
}

/**
 * Replaces the stored result of a page whose `previous` text the caller read (null: nothing stored yet, so it is
 * inserted, and throws the driver's duplicate-key error if another attempt stored one meanwhile); call inside the
 * transaction that commits the part. Throws `PageResultConflictError` when the stored result changed since it was
 * read. Returns the stored text.
 */
export async function replacePageResult(
  db: Db,
  jobId: number,
  pageNo: number,
  previous: string | null,
  result: unknown,
  now: Date,
): Promise<string> {
  const text = JSON.stringify(result);
  if (previous === null) {
    await savePageResult(db, jobId, pageNo, result, now);
    return text;
  }
  const updated = await db('sync_pages')
    .where({ job_id: jobId, page_no: pageNo, result: previous })
    .update({ result: text, created_at: now });
  if (!updated) throw new PageResultConflictError(jobId, pageNo);
  return text;
}

/** Every committed page result of a job, in page order (to total the counters of a job whose run died). */
export async function listPageResults<T>(db: Db, jobId: number): Promise<T[]> {
  const rows = await db('sync_pages').where({ job_id: jobId }).orderBy('page_no').select('result');
  return rows.map((r: { result: string }) => JSON.parse(r.result) as T);
}

/** What a part of a page activity read before writing: its source ids, the cursor after them and their newest modified-on. */
export interface PageRead {
  sourceIds: string[];
  next: unknown;
  maxModifiedAt: string | null;
  /**
   * Source id → the destination hashes the part's attempts planned to leave, in attempt order (absent until the first
   * attempt's decisions were made). A redo decides again on records that may have changed meanwhile, so its plan can
   * differ from the first; a destination holding any of them was written by one of the part's attempts.
   */
  plannedHashes?: Record<string, string[]>;
}

/**
 * Records what part `part` of page `pageNo` read, before it writes (outside the page's commit transaction). A part
 * already recorded keeps its first record: a retried attempt redoes that read, not a new one.
 */
export async function recordPageRead(
  db: Db,
  key: { jobId: number; pageNo: number; part: number },
  read: PageRead,
  now: Date,
): Promise<void> {
  await db('sync_page_reads')
    .insert({
      job_id: key.jobId,
      page_no: key.pageNo,
      part: key.part,
      source_ids: JSON.stringify(read.sourceIds),
      next: JSON.stringify(read.next),
      max_modified_at: read.maxModifiedAt,
      created_at: now,
    })
    .onConflict(['job_id', 'page_no', 'part'])
    .ignore();
}

/** What part `part` of page `pageNo` of job `jobId` read, or undefined when it has not read yet. */
export async function getPageRead(
  db: Db,
  key: { jobId: number; pageNo: number; part: number },
): Promise<PageRead | undefined> {
  const row = await db('sync_page_reads')
    .where({ job_id: key.jobId, page_no: key.pageNo, part: key.part })
    .first('source_ids', 'next', 'max_modified_at', 'planned_hashes');
  if (!row) return undefined;
  return {
    sourceIds: JSON.parse(row.source_ids as string) as string[],
    next: JSON.parse(row.next as string) as unknown,
    maxModifiedAt: (row.max_modified_at as string | null) ?? null,
    ...(row.planned_hashes ? { plannedHashes: parsePlans(row.planned_hashes as string) } : {}),
  };
}

/** Reads stored plans; a row of the first version of this column holds one hash per source id. */
function parsePlans(text: string): Record<string, string[]> {
  const stored = JSON.parse(text) as Record<string, string | string[]>;
  return Object.fromEntries(Object.entries(stored).map(([id, h]) => [id, typeof h === 'string' ? [h] : h]));
}

/**
 * Adds the destination hashes an attempt of part `part` plans to leave (source id → hash) to the plans of its earlier
 * attempts, before it writes. Compare-and-set on the stored text, so a plan is never lost to another attempt's.
 */
export async function recordPlannedHashes(
  db: Db,
  key: { jobId: number; pageNo: number; part: number },
  plannedHashes: Record<string, string>,
): Promise<void> {
  const where = { job_id: key.jobId, page_no: key.pageNo, part: key.part };
  // Each lost compare-and-set means another attempt added its plan meanwhile; a few rounds settle it. (Inside a
  // REPEATABLE READ transaction the read would not see the other plan and the loop would never end: hence the cap.)
  for (let round = 1; round <= 8; round++) {
    const row = await db('sync_page_reads').where(where).first('planned_hashes');
    if (!row) return; // the pass was closed meanwhile: nothing is redone any more
    const before = (row.planned_hashes as string | null) ?? null;
    const plans = before ? parsePlans(before) : {};
    let added = false;
    for (const [id, hash] of Object.entries(plannedHashes)) {
      const known = plans[id] ?? [];
      if (known.includes(hash)) continue;
      plans[id] = [...known, hash];
      added = true;
    }
    if (before !== null && !added) return;
    const updated = await db('sync_page_reads')
      .where(where)
      .andWhere((q) => (before === null ? q.whereNull('planned_hashes') : q.where('planned_hashes', before)))
      .update({ planned_hashes: JSON.stringify(plans) });
    if (updated) return;
  }
  throw new Error(
    `the planned hashes of part ${key.part} of page ${key.pageNo} of job ${key.jobId} kept changing while being recorded`,
  );
}

/** Forgets what the parts of job `jobId` read (its pass is closed). */
export async function clearPageReads(db: Db, jobId: number): Promise<void> {
  await db('sync_page_reads').where({ job_id: jobId }).delete();
}
