/** Id look-ups in chunks: the `$filter`s sent and how their pages are gathered. */
import assert from 'node:assert/strict';
import { ValidationError } from '../../connectors/http/errors';
import { idFilters, readByIds } from '../../connectors/http/id-chunks';

const guid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

describe('idFilters', () => {
  it('sends each id once, lower-cased, in or-filters of at most chunkSize ids', () => {
    const ids = [guid(1), guid(2).toUpperCase(), guid(2), guid(3), guid(1)];
    assert.deepEqual(idFilters(ids, { keyField: 'accountid', chunkSize: 2, service: 'dataverse' }), [
      `accountid eq ${guid(1)} or accountid eq ${guid(2)}`,
      `accountid eq ${guid(3)}`,
    ]);
  });

  it('returns no filter for no ids', () => {
    assert.deepEqual(idFilters([], { keyField: 'id', chunkSize: 40, service: 'business-central' }), []);
  });

  it('refuses an id that is not a GUID, naming it and the service, before anything is sent', () => {
    assert.throws(
      () => idFilters([guid(1), "x' or 1 eq 1"], { keyField: 'id', chunkSize: 40, service: 'business-central' }),
      (error: unknown) =>
        error instanceof ValidationError &&
        error.service === 'business-central' &&
        error.code === 'InvalidGuid' &&
        error.message.includes("x' or 1 eq 1"),
    );
  });
});

describe('readByIds', () => {
  it('reads every chunk and gathers all pages of each', async () => {
    const asked: string[] = [];
    const records = await readByIds(
      [guid(1), guid(2), guid(3)],
      { keyField: 'id', chunkSize: 2, service: 'business-central' },
      async function* (filter) {
        asked.push(filter);
        const ids = [...filter.matchAll(/eq (\S+)/g)].map((m) => m[1]);
        for (const id of ids) yield [{ id }];
      },
    );
    assert.deepEqual(asked.sort(), [`id eq ${guid(1)} or id eq ${guid(2)}`, `id eq ${guid(3)}`].sort());
    assert.deepEqual(records.map((r) => r.id).sort(), [guid(1), guid(2), guid(3)]);
  });
});
