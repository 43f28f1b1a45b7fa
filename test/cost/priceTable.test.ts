// Costing a request: the built-in price table (providers/models.ts) under the config's overrides (exact names,
// then globs), cached prompt tokens at their own price, a count with no price left uncosted, the provider a plain
// target URL stands for, and the UTC periods budgets and the spend report use.
import { strict as assert } from 'node:assert';
import { compilePriceTable, costInNanoUsd, providerOfUrl } from '../../runtime/src/cost/priceTable';
import { parsePeriod, periodAt } from '../../runtime/src/cost/periods';
import { MODEL_LISTS } from '../../runtime/src/providers/models';

describe('cost: price table', () => {
  it('prices from the dated built-in table, the config winning over it, exact names before globs', () => {
    const table = compilePriceTable([
      { provider: 'openai', model: 'gpt-4o-mini', inputPerMTok: 1, outputPerMTok: 2 },
      { provider: 'openai-compatible', model: 'llama-*', inputPerMTok: 0.5, outputPerMTok: 0.5 },
      { provider: 'openai-compatible', model: 'llama-3.3-70b', inputPerMTok: 0.6, outputPerMTok: 0.7 },
    ]);
    assert.deepEqual(table.priceOf('openai', 'gpt-4o-mini'), { inputPerMTok: 1, outputPerMTok: 2 });
    assert.equal(table.priceOf('openai', 'gpt-4o')?.inputPerMTok, 2.5, 'the built-in price');
    assert.equal(table.priceOf('openai-compatible', 'llama-3.3-70b')?.outputPerMTok, 0.7);
    assert.equal(table.priceOf('openai-compatible', 'llama-3.1-8b')?.outputPerMTok, 0.5);
    assert.equal(table.priceOf('openai-compatible', 'gpt-4o'), undefined, 'another server is not priced as OpenAI');
    assert.equal(table.priceOf('bedrock', 'us.anthropic.claude-haiku-4-5-20251001-v1:0')?.inputPerMTok, 1, 'cross-region prefixes');
    assert.equal(table.priceOf('openai', 'gpt-5.4'), undefined, 'a model without a known price stays unpriced');
    assert.ok(MODEL_LISTS.openai.writtenOn && MODEL_LISTS.openai.pricesSource, 'the table says when and from where');
  });

  it('counts cached prompt tokens at their price, in whole nano-dollars', () => {
    const price = { inputPerMTok: 2.5, outputPerMTok: 10, cachedInputPerMTok: 1.25 };
    assert.equal(costInNanoUsd({ promptTokens: 1000, completionTokens: 100 }, price), 1000 * 2500 + 100 * 10_000);
    assert.equal(costInNanoUsd({ promptTokens: 1000, completionTokens: 100, cachedTokens: 400 }, price), 600 * 2500 + 400 * 1250 + 100 * 10_000);
    assert.equal(costInNanoUsd({ promptTokens: 10, completionTokens: 0 }, { inputPerMTok: 0.02 }), 200, 'an embedding has no output');
    assert.equal(costInNanoUsd({ promptTokens: 10, completionTokens: 5 }, { inputPerMTok: 0.02 }), undefined, 'output without a price');
    assert.equal(
      costInNanoUsd({ promptTokens: 3, completionTokens: 0, cachedTokens: 3 }, { inputPerMTok: 1 }),
      3000,
      'cached at the input price when none is given',
    );
  });

  it('takes a plain target URL for the provider it stands for', () => {
    assert.equal(providerOfUrl('mock://anthropic'), 'anthropic');
    assert.equal(providerOfUrl('https://api.openai.com/v1'), 'openai');
    assert.equal(providerOfUrl('https://***@my-res.openai.azure.com/openai'), 'azure-openai');
    assert.equal(providerOfUrl('https://bedrock-runtime.eu-west-1.amazonaws.com'), 'bedrock');
    assert.equal(providerOfUrl('http://127.0.0.1:9100'), 'openai-compatible');
    assert.equal(providerOfUrl('http://api.openai.com.evil.example'), 'openai-compatible');
  });

  it('names UTC days and months, and reads the periods the admin API takes', () => {
    const at = Date.UTC(2026, 6, 31, 23, 59, 59);
    assert.deepEqual(periodAt('day', at), { kind: 'day', id: '2026-07-31', startsAt: Date.UTC(2026, 6, 31), endsAt: Date.UTC(2026, 7, 1) });
    assert.deepEqual(periodAt('month', at), { kind: 'month', id: '2026-07', startsAt: Date.UTC(2026, 6, 1), endsAt: Date.UTC(2026, 7, 1) });
    assert.equal(periodAt('day', at + 1000).id, '2026-08-01', 'the next second is the next day (the last period asked is kept, not reused past its end)');
    assert.equal(periodAt('month', at + 1000).id, '2026-08');
    assert.equal(periodAt('day', at).id, '2026-07-31', 'nor before its start');
    assert.equal(parsePeriod('month', at)?.id, '2026-07');
    assert.equal(parsePeriod('day', at)?.id, '2026-07-31');
    assert.equal(parsePeriod('2026-02-28')?.endsAt, Date.UTC(2026, 2, 1));
    assert.equal(parsePeriod('2026-02-30'), undefined);
    assert.equal(parsePeriod('2026-13'), undefined);
    assert.equal(parsePeriod('last-week'), undefined);
  });
});
