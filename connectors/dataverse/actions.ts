/**
 * Bound actions of a Dataverse client: `POST {set}({id})/Microsoft.Dynamics.CRM.{action}` (for example a product's
 * `PublishProductHierarchy`), answered with the action's JSON result or nothing (204).
 */
import { parseJsonBody } from '../http/json-body';
import { sig } from '../http/util';
import { type DvContext, SERVICE } from './context';
import { type DataverseClient } from './types';

export type DvActions = Pick<DataverseClient, 'callBoundAction'>;

/** The bound-action call of a client over `ctx`; see DataverseClient.callBoundAction for its contract. */
export function createDvActions(ctx: DvContext): DvActions {
  return {
    async callBoundAction(set, id, action, body = {}, opts = {}) {
      if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(action)) throw new Error(`'${action}' is not an action name`);
      const description = `POST ${set}(${id})/Microsoft.Dynamics.CRM.${action}`;
      const res = await ctx.http().request({
        method: 'POST',
        url: `${ctx.rowUrl(set, id)}/Microsoft.Dynamics.CRM.${action}`,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        idempotent: opts.idempotent ?? false,
        description,
        recordKey: id,
        ...sig(opts.signal),
      });
      return res.status === 204 || !res.text ? null : parseJsonBody(res, SERVICE, description);
    },
  };
}
