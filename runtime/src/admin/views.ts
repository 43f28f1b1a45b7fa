// What the admin API shows of the running config: routes with the rules protecting them, and rules without
// their secrets (a JWT secret, an API key's digest, a target URL's credentials, target header values or a provider
// key never leave the process).
import { redactUrl, securityRulesForRoute } from '../../../common/src/config';
import type { GatewayConfig, RouteConfig, SecurityRule, TargetConfig } from '../../../common/src/config';
import type { Admin } from '../../../common/src/protocol';

export function securityView(rule: SecurityRule): Admin.SecurityRuleView {
  const { jwt, apiKeys, ...rest } = rule;
  const view: Admin.SecurityRuleView = { ...rest };
  if (jwt) {
    const { secret: _secret, ...publicJwt } = jwt;
    view.jwt = publicJwt;
  }
  if (apiKeys) view.apiKeys = apiKeys.map((k) => ({ name: k.name, ...(k.keyEnv ? { keyEnv: k.keyEnv } : {}) }));
  return view;
}

/** A route as configured, its targets without their credentials (URL userinfo and query values, header values, held keys). */
export function routeView(config: GatewayConfig, route: RouteConfig): Admin.Route {
  return { ...route, targets: route.targets.map(targetView), security: securityRulesForRoute(config, route).map(securityView) };
}

export function targetView(target: TargetConfig): Admin.TargetView {
  const { provider, headers, ...rest } = target;
  const view: Admin.TargetView = { ...rest, url: redactUrl(target.url) };
  if (headers) view.headers = Object.fromEntries(Object.keys(headers).map((name) => [name, '***']));
  if (provider) {
    const { credential: _held, ...settings } = provider;
    view.provider = settings;
  }
  return view;
}

/** `{ file }` when the gateway runs from a config file: a change's warnings point at lines of it. */
export function fileOf(store: { file?: string | undefined }): { file?: string } {
  return store.file ? { file: store.file } : {};
}
