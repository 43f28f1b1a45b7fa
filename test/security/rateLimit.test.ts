// Rate limits on the compiled policy: exactness under concurrency, token budgets charged up front and settled
// to the reported usage, keys per consumer / ip / route, and counters kept across a config reload.
import * as assert from 'node:assert/strict';
import type { GatewayConfig, RateLimitConfig } from '../../common/src/config/types';
import { compileSecurity } from '../../runtime/src/security/compileSecurity';
import { compileRateLimit } from '../../runtime/src/security/rateLimitPolicy';
import { memoryRateCounters } from '../../runtime/src/security/rateCounters';
import { configFrom } from './support';

const rate = (limit: number, windowMs = 60_000) => ({ limit, windowMs, source: `${limit}/min` });
const subject = (consumer?: string, ip = '10.0.0.1') => ({ consumer, ip, route: 'chat' });

function limitOf(partial: Omit<RateLimitConfig, 'defaultMaxTokens'>) {
  const config: RateLimitConfig = { ...partial, defaultMaxTokens: 1024 };
  const counter = (kind: 'requests' | 'tokens') => {
    const r = config[kind];
    return r ? memoryRateCounters({ keyPrefix: kind, limit: r.limit, windowMs: r.windowMs }) : undefined;
  };
  return compileRateLimit(config, counter('requests'), counter('tokens'));
}

describe('security: rate limits', () => {
  it('admits exactly N of 4N concurrent requests in one window', async () => {
    for (const limit of [1, 7, 50]) {
      const policy = limitOf({ requests: rate(limit), by: 'consumer', tokenEstimate: 'none' });
      const admissions = await Promise.all(Array.from({ length: 4 * limit }, () => policy.admit(subject('team-a'), 0)));
      assert.equal(admissions.filter((a) => !a.refused).length, limit, `limit ${limit}`);
      const refused = admissions.find((a) => a.refused)?.refused;
      assert.deepEqual({ limit: refused?.limit, rate: refused?.rate, by: refused?.by }, { limit: 'requests', rate: `${limit}/min`, by: 'consumer' });
      assert.ok((refused?.retryAfterMs ?? 0) > 0 && (refused?.retryAfterMs ?? 0) <= 60_000);
    }
  });

  it('counts remaining down and says when the window resets', async () => {
    const policy = limitOf({ requests: rate(3), by: 'consumer', tokenEstimate: 'none' });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await policy.admit(subject('a'), 0)).status);
    assert.deepEqual(
      statuses.map((s) => s?.remaining),
      [2, 1, 0, 0],
    );
    assert.ok(statuses.every((s) => s?.limit === 3 && s.resetMs > 0 && s.resetMs <= 60_000));
  });

  it('keeps separate budgets per consumer, per ip for anonymous callers, and one per route', async () => {
    const byConsumer = limitOf({ requests: rate(1), by: 'consumer', tokenEstimate: 'none' });
    assert.ok(!(await byConsumer.admit(subject('a'), 0)).refused);
    assert.ok(!(await byConsumer.admit(subject('b'), 0)).refused);
    assert.ok((await byConsumer.admit(subject('a'), 0)).refused);
    assert.ok(!(await byConsumer.admit(subject(undefined, '10.0.0.1'), 0)).refused);
    assert.ok(!(await byConsumer.admit(subject(undefined, '10.0.0.2'), 0)).refused);
    assert.ok((await byConsumer.admit(subject(undefined, '10.0.0.1'), 0)).refused);

    const byRoute = limitOf({ requests: rate(1), by: 'route', tokenEstimate: 'none' });
    assert.ok(!(await byRoute.admit(subject('a'), 0)).refused);
    assert.ok((await byRoute.admit(subject('b', '10.9.9.9'), 0)).refused);
  });

  it('refuses once the token budget is spent, charging the estimate up front and settling to the usage', async () => {
    const policy = limitOf({ tokens: rate(100), by: 'consumer', tokenEstimate: 'prompt' });
    const first = await policy.admit(subject('a'), 30);
    assert.ok(!first.refused);
    assert.equal(first.status?.remaining, 70, 'the estimate is charged up front');
    first.settleTokens?.(70); // 70 used in total: 40 more than estimated
    const second = await policy.admit(subject('a'), 10);
    assert.ok(!second.refused, 'budget not yet spent (70 of 100)');
    assert.equal(second.status?.remaining, 20);
    second.settleTokens?.(40); // now 110 of 100
    const third = await policy.admit(subject('a'), 10);
    assert.equal(third.refused?.limit, 'tokens');
    assert.equal(third.refused?.rate, '100/min');
    assert.ok(!(await policy.admit(subject('b'), 10)).refused, 'another consumer has its own budget');
  });

  it('keeps concurrent streams from overshooting: the estimates count before any usage is known', async () => {
    const policy = limitOf({ tokens: rate(1000), by: 'consumer', tokenEstimate: 'prompt' });
    const admissions = await Promise.all(Array.from({ length: 20 }, () => policy.admit(subject('a'), 100)));
    assert.equal(admissions.filter((a) => !a.refused).length, 10);
  });

  it('gives back the estimate of a refused request, so refusals do not spend the budget', async () => {
    const policy = limitOf({ tokens: rate(100), by: 'consumer', tokenEstimate: 'prompt' });
    const first = await policy.admit(subject('a'), 100);
    for (let i = 0; i < 5; i++) assert.ok((await policy.admit(subject('a'), 50)).refused);
    first.settleTokens?.(60);
    assert.ok(!(await policy.admit(subject('a'), 30)).refused, '60 of 100 used: admitted again');
  });

  it('keeps counters across a config reload when the limit is unchanged, and starts anew when it changes', async () => {
    const yaml = (limit: number) => `
routes:
  - path: /predict
    target: http://127.0.0.1:9
security:
  - endpoint: /predict
    auth: none
    rateLimit: ${limit}/min
`;
    const v1: GatewayConfig = configFrom(yaml(2));
    const first = compileSecurity(v1, undefined);
    const admit = async (compiled: ReturnType<typeof compileSecurity>) => compiled.policyFor('/predict', 'POST')?.rateLimit?.admit(subject(undefined), 0);
    await admit(first);
    await admit(first);
    const reloaded = compileSecurity(configFrom(yaml(2)), first);
    assert.ok((await admit(reloaded))?.refused, 'the budget spent before the reload stays spent');
    const raised = compileSecurity(configFrom(yaml(5)), reloaded);
    assert.ok(!(await admit(raised))?.refused);
  });
});
