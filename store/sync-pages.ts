/** Queries on `sync_pages`: the committed result of each page of a pass (exactly-once page accounting). */
import type { Db } from './values';

/** The stored result of page `pageNo` of job `jobId`, or undefined when that page has not been committed. */
export async function getPageResult<T>(db: Db, jobId: number, pageNo: number): Promise<T | undefined> {
  const row = await db('sync_pages').where({ job_id: jobId, page_no: pageNo }).first('result');
  return row ? (JSON.parse(row.result as string) as T) : undefined;
}

/** Stores the result of a page; call inside the page's commit transaction. Throws if the page was already stored. */
export async function savePageResult(db: Db, jobId: number, pageNo: number, result: unknown, now: Date): Promise<void> {
  await db('sync_pages').insert({ job_id: jobId, page_no: pageNo, result: JSON.stringify(result), created_at: now });
}

/** Every committed page result of a job, in page order (to total the counters of a job whose run died). */
export async function listPageResults<T>(db: Db, jobId: number): Promise<T[]> {
  const rows = await db('sync_pages').where({ job_id: jobId }).orderBy('page_no').select('result');
  return rows.map((r: { result: string }) => JSON.parse(r.result) as T);
}
