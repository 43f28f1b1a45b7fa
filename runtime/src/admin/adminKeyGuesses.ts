// Wrong admin keys count per client address against gateway.limits.authFailures, as wrong credentials do on the
// proxy's endpoints: past the limit the address gets 429 before its key is compared, until the window ends (a right
// key from that address meanwhile too, so a guesser cannot tell). Counted in the memory of the process that serves
// the admin API (the primary of gateway.workers, which hears each request's address from the worker that took it),
// not in gateway.store: each replica's admin API is its own, so each counts the guesses it was sent.
import type { Rate } from '../../../common/src/config';
import { createAuthFailureLimit, type AuthFailureLimit } from '../security/authFailureLimit';
import { memoryRateCounters } from '../security/rateCounters';

/** The limit in force for the running config's rate: the same one (and its counts) while the rate is unchanged. */
export function adminKeyGuesses(rateOf: () => Rate | undefined): () => AuthFailureLimit | undefined {
  let current: AuthFailureLimit | undefined;
  return () => {
    const rate = rateOf();
    if (!rate) return (current = undefined);
    if (current?.rate.limit !== rate.limit || current.rate.windowMs !== rate.windowMs) {
      current = createAuthFailureLimit(rate, memoryRateCounters({ keyPrefix: 'admin-key', limit: rate.limit, windowMs: rate.windowMs }));
    }
    return current;
  };
}
