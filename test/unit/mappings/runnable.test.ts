import assert from 'node:assert/strict';
import { cannotRunReason, defaultMappings, demoScheduledMappings } from '../../../mappings';

describe('mappings that cannot run', () => {
  const currency = defaultMappings().find((m) => m.name === 'CURRENCY')!;
  const incomplete = { ...currency, complete: false, incompleteReason: 'its rates are not mapped yet' };

  it('names why a mapping marked incomplete cannot run, and lets a complete one run', () => {
    assert.equal(
      cannotRunReason(incomplete),
      'CURRENCY cannot run yet: its rates are not mapped yet (docs/mappings.md)',
    );
    assert.equal(cannotRunReason(currency), null);
  });

  it('leaves it out of what the demo synchronizes and schedules', () => {
    const mappings = defaultMappings().map((m) => (m.name === 'CURRENCY' ? incomplete : m));
    assert.ok(!demoScheduledMappings(mappings).includes('CURRENCY'));
    assert.equal(demoScheduledMappings(defaultMappings()).length, 11);
  });
});
