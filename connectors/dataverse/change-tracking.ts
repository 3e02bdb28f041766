/**
 * Dataverse change tracking (`Prefer: odata.track-changes`): the changed and deleted rows since a delta token.
 */
import { TransientServerError } from '../http/errors';
import { valueOf } from '../http/json-body';
import { queryString, selectWith } from '../http/odata';
import { sig } from '../http/util';
import { type DvContext, SERVICE } from './context';
import { type DvRecord, primaryKeyOf } from './entity-sets';
import { type DataverseClient } from './types';

export type DvChangeTracking = Pick<DataverseClient, 'trackChanges'>;

/** `trackChanges` of a client over `ctx`; see DataverseClient for its contract. */
export function createDvChangeTracking(ctx: DvContext): DvChangeTracking {
  return {
    async trackChanges(set, opts) {
      const changed: DvRecord[] = [];
      const deleted: string[] = [];
      const pk = primaryKeyOf(set);
      const firstUrl = opts.deltaLink
        ? ctx.reader.checkLink(opts.deltaLink)
        : ctx.setUrl(set) + queryString({ $select: selectWith(opts.select, [pk]) });
      const pages = ctx.reader.bodies(firstUrl, `GET ${set} (changes)`, {
        prefer: `odata.track-changes,odata.maxpagesize=${ctx.maxPageSize}`,
        ...sig(opts.signal),
      });
      for await (const body of pages) {
        for (const row of valueOf<DvRecord>(body, SERVICE, `GET ${set} (changes)`)) {
          const context = typeof row['@odata.context'] === 'string' ? row['@odata.context'] : '';
          if (context.includes('$deletedEntity') || row.reason === 'deleted') {
            deleted.push(String(row.id ?? row[pk]));
          } else {
            changed.push(row);
          }
        }
        // The last page carries the deltaLink instead of a nextLink.
        if (typeof body['@odata.deltaLink'] === 'string')
          return { changed, deleted, deltaLink: body['@odata.deltaLink'] };
      }
      throw new TransientServerError({
        service: SERVICE,
        status: 200,
        code: 'MissingDeltaLink',
        message: `Dataverse returned no deltaLink for ${set}: is change tracking enabled on the table?`,
        retryable: false,
      });
    },
  };
}
