import assert from 'node:assert/strict';
import { applyTransform, KEEP_DESTINATION } from '../../../engine/value-transforms';

describe('value transforms', () => {
  it('boolean-to-statecode: blocked ⇒ Retired; Retired ⇒ blocked, Active ⇒ unblocked, Draft and Under Revision keep it', () => {
    const toDv = (v: unknown) => applyTransform('boolean-to-statecode', v, { direction: 'to-dataverse', source: {} });
    const toBc = (v: unknown) => applyTransform('boolean-to-statecode', v, { direction: 'to-bc', source: {} });
    assert.deepEqual([toDv(true), toDv(false), toDv('true')], [1, 0, 1]);
    assert.deepEqual([toBc(1), toBc(0), toBc(2), toBc(3)], [true, false, KEEP_DESTINATION, KEEP_DESTINATION]);
  });
});
