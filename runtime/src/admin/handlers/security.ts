// `/api/v1/security`: the rules, and `PUT /api/v1/security/{endpoint}` with the product card's body
// `{ "authType": "jwt", "rateLimit": 100 }`. `{endpoint}` is the URL-encoded path (`%2Fpredict`) or the bare name (`predict`).
import { endpointPath, upsertSecurity } from '../../configStore/configEdits';
import type { Admin } from '../../../../common/src/protocol';
import { AdminError } from '../adminErrors';
import type { AdminRouter } from '../adminRouter';
import type { AdminDeps } from '../deps';
import { parseObjectBody, readBodyText } from '../adminBody';
import { fileOf, securityView } from '../views';

export function registerSecurityHandlers(router: AdminRouter, deps: AdminDeps): void {
  router
    .on('GET', '/security', (ctx) => {
      ctx.body = { security: deps.runtime.snapshot.config.security.map(securityView) } satisfies Admin.SecurityList;
    })
    .on('PUT', '/security/:endpoint', async (ctx, { endpoint }) => {
      const path = endpointPath(endpoint as string);
      const body = parseObjectBody(await readBodyText(ctx.req), 'security fields: { "authType": "jwt", "rateLimit": 100 }');
      if (body.authType !== undefined && body.auth !== undefined && body.authType !== body.auth) {
        throw new AdminError(400, 'bad_request', `"authType" (${String(body.authType)}) and "auth" (${String(body.auth)}) disagree: send one of them.`);
      }
      let created = false;
      const store = deps.writableStore();
      const applied = await store.edit((data) => {
        const result = upsertSecurity(data, path, body);
        created = result.created;
        return result.data;
      });
      const rule = applied.config.security.find((r) => r.endpoint === path && r.methods === undefined);
      if (!rule) throw new AdminError(500, 'internal_error', 'The rule was written but is not in the applied config.');
      ctx.status = created ? 201 : 200;
      ctx.body = { rule: securityView(rule), created, warnings: applied.warnings, ...fileOf(store) } satisfies Admin.SecurityResult;
    });
}
