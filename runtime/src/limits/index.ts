// Shared rate-limit storage for scaled-out gateways: the store factory and its failure policies.
export { createRateLimitStore, type RateLimitStore, type RateLimitStoreOptions } from './rateLimitStore';
export { RateLimitStoreUnavailable } from './failurePolicy';
export { STORE_RECOVERED, STORE_UNAVAILABLE } from './storeHealth';
