/** Fresh stores for tests: a new MySQL database under this run's prefix, or a new SQLite file. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Dialect, openMysqlStore, openSqliteStore, type Store } from '../../store/database';
import { testResources } from './env';

let n = 0;

/** Opens an empty store of `dialect` (MySQL: database `<run db>_<n>`, dropped with the run's database). */
export async function openFreshStore(dialect: Dialect): Promise<Store> {
  n += 1;
  if (dialect === 'mysql') {
    const r = testResources();
    return openMysqlStore(`${r.mysqlServerUrl}/${r.database}_${n}`);
  }
  return openSqliteStore(path.join(mkdtempSync(path.join(tmpdir(), 'bcsync-test-')), 'store.sqlite'));
}
