import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateFile, writeJsonStream } from '../../../emulators/shared/state-file';

describe('shared state file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'state-file-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('streams JSON that parses back to the same value (undefined properties left out)', async () => {
    const value = {
      format: 1,
      companies: [
        {
          company: { id: 'x', name: 'O\'Brien "quoted"' },
          tables: { a: [{ data: { n: 1, s: 'é', u: undefined }, v: 2 }], b: [] },
        },
      ],
      empty: {},
      nothing: null,
    };
    const path = join(dir, 'v.json');
    await writeJsonStream(path, value);
    assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), JSON.parse(JSON.stringify(value)));
  });

  it('loads nothing before the first write, then the last flushed state', async () => {
    let state = { n: 1 };
    const file = new StateFile(join(dir, 'nested', 's.json'), () => state, 10_000);
    assert.equal(file.load(), undefined);
    file.markDirty();
    state = { n: 2 };
    await file.flush();
    assert.deepEqual(file.load(), { n: 2 });
    await file.flush();
    state = { n: 3 };
    await file.flush();
    assert.deepEqual(file.load(), { n: 2 }, 'nothing is written while nothing was marked dirty');
    await file.saveNow();
    assert.deepEqual(file.load(), { n: 3 });
  });
});
