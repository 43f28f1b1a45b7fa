// The admin REST API (`/api/v1`), `/healthz` and `/readyz`.
export { adminApi } from './adminApi';
export { startAdminListener, type AdminListener } from './adminListener';
export type { AdminOptions, ObservabilitySource } from './deps';
