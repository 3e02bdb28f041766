/** `bcsync migrate`: brings the store's schema up to date (or rolls it back with --down, or shows --status). */
import { migrateLatest, migrationStatus, rollbackAll } from '../../store/migrate';
import { openConfiguredStore } from '../../worker/open-store';
import type { CommandContext } from '../context';
import { printJson } from '../output';

export async function migrateCommand(ctx: CommandContext, opts: { down?: boolean; status?: boolean; json?: boolean }) {
  const opened = await openConfiguredStore(ctx.config, 'create');
  const { store } = opened;
  try {
    if (opts.status) {
      const status = await migrationStatus(store);
      if (opts.json) return printJson({ store: store.description, ...status });
      console.log(`store: ${store.description}`);
      console.log(`applied: ${status.applied.length ? status.applied.join(', ') : '(none)'}`);
      console.log(`pending: ${status.pending.length ? status.pending.join(', ') : '(none)'}`);
      return;
    }
    const names = opts.down ? await rollbackAll(store) : await migrateLatest(store);
    if (opts.json) return printJson({ store: store.description, [opts.down ? 'rolledBack' : 'applied']: names });
    console.log(`store: ${store.description}`);
    console.log(
      names.length
        ? `${opts.down ? 'rolled back' : 'applied'}: ${names.join(', ')}`
        : 'nothing to do: the schema is up to date',
    );
  } finally {
    await store.close();
  }
}
