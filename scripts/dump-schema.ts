/** `npm run schema:dump`: migrates a scratch MySQL database and writes `store/schema.sql`. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config';
import { openMysqlStore } from '../store/database';
import { migrateLatest } from '../store/migrate';
import { dumpSchema } from './schema-dump';

async function main() {
  const config = loadConfig();
  const server = new URL(config.mysqlUrl ?? config.mysqlDefaultUrl);
  server.pathname = `/bcsync_schema_dump_${process.pid}`;
  const store = await openMysqlStore(server.toString());
  try {
    await migrateLatest(store);
    const file = path.join(__dirname, '..', 'store', 'schema.sql');
    writeFileSync(file, await dumpSchema(store));
    console.log(`wrote ${file}`);
  } finally {
    await store.knex.raw('DROP DATABASE IF EXISTS ??', [server.pathname.slice(1)]);
    await store.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
