// What the admin API shows of the running config: routes with the rules protecting them, and rules without
// their secrets (a JWT secret, an API key's digest or a target URL's credentials never leave the process).
import { redactUrl, securityRulesForRoute } from '../../../common/src/config';
import type { GatewayConfig, RouteConfig, SecurityRule } from '../../../common/src/config';
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

/** A route as configured, its target URLs without their credentials (userinfo, query values). */
export function routeView(config: GatewayConfig, route: RouteConfig): Admin.Route {
  const targets = route.targets.map((target) => ({ ...target, url: redactUrl(target.url) }));
  return { ...route, targets, security: securityRulesForRoute(config, route).map(securityView) };
}

/** `{ file }` when the gateway runs from a config file: a change's warnings point at lines of it. */
export function fileOf(store: { file?: string | undefined }): { file?: string } {
  return store.file ? { file: store.file } : {};
}
