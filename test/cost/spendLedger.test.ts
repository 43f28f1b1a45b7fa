// The in-process spend ledger (`GET /api/v1/spend` without Redis): each costed request booked under its consumer,
// route and provider/model for its UTC day and month, and the days and months past what reports keep forgotten.
import { strict as assert } from 'node:assert';
import { createMemorySpendLedger, KEEP_DAYS, type SpendRecord } from '../../runtime/src/cost/spendLedger';
import { periodAt } from '../../runtime/src/cost/periods';

const DAY_MS = 86_400_000;
const JULY_14 = Date.UTC(2026, 6, 14, 12);

function entry(consumer: string | undefined, model: string, nanoUsd: number): SpendRecord {
  return { route: 'chat', consumer, provider: 'anthropic', model, nanoUsd };
}

describe('cost: the in-process spend ledger', () => {
  it('books each request under its consumer, route and model, for its day and its month', async () => {
    const ledger = createMemorySpendLedger();
    ledger.record(entry('alice', 'claude-haiku-4-5', 2_000_000_000), JULY_14);
    ledger.record(entry(undefined, 'claude-haiku-4-5', 1_000_000_000), JULY_14 + 1000);
    ledger.record(entry('alice', 'claude-sonnet-4-5', 500_000_000), JULY_14 + DAY_MS);

    const day = await ledger.report('consumer', periodAt('day', JULY_14));
    assert.deepEqual(
      day.entries.map((row) => [row.key, row.usd, row.requests]),
      [
        ['alice', 2, 1],
        ['(anonymous)', 1, 1],
      ],
    );
    assert.deepEqual([day.totalUsd, day.requests], [3, 2]);
    const nextDay = await ledger.report('model', periodAt('day', JULY_14 + DAY_MS));
    assert.deepEqual(
      nextDay.entries.map((row) => [row.key, row.requests]),
      [['anthropic/claude-sonnet-4-5', 1]],
    );
    const month = await ledger.report('model', periodAt('month', JULY_14));
    assert.deepEqual(
      month.entries.map((row) => [row.key, row.usd, row.requests]),
      [
        ['anthropic/claude-haiku-4-5', 3, 2],
        ['anthropic/claude-sonnet-4-5', 0.5, 1],
      ],
    );
    const route = await ledger.report('route', periodAt('month', JULY_14));
    assert.deepEqual([route.totalUsd, route.requests], [3.5, 3]);
  });

  it('forgets days older than it keeps once a later day is booked, and books a forgotten day anew', async () => {
    const ledger = createMemorySpendLedger();
    ledger.record(entry('alice', 'claude-haiku-4-5', 1_000_000_000), JULY_14);
    ledger.record(entry('alice', 'claude-haiku-4-5', 1_000_000_000), JULY_14 + (KEEP_DAYS + 5) * DAY_MS);
    assert.equal((await ledger.report('consumer', periodAt('day', JULY_14))).requests, 0, 'forgotten');
    ledger.record(entry('bob', 'claude-haiku-4-5', 4_000_000_000), JULY_14);
    const day = await ledger.report('consumer', periodAt('day', JULY_14));
    assert.deepEqual(
      day.entries.map((row) => [row.key, row.usd, row.requests]),
      [['bob', 4, 1]],
    );
    ledger.record(entry('bob', 'claude-haiku-4-5', 1_000_000_000), JULY_14 + 1);
    assert.equal((await ledger.report('consumer', periodAt('day', JULY_14))).totalUsd, 5, 'the same day keeps adding up');
  });
});
