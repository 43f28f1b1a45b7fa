// `GET|PUT /api/v1/config`: the whole config, as the file's YAML text or as JSON data. A PUT is applied
// atomically or refused with the diagnostics `validate` prints, positioned in the body that was sent.
import { contentHash, type ConfigFormat } from '../../configStore/configStore';
import { yamlData } from '../../configStore/yamlPatch';
import { MAX_CONFIG_BYTES } from '../../../../common/src/config';
import type { Admin } from '../../../../common/src/protocol';
import { AdminError, toAdminError } from '../adminErrors';
import type { AdminContext, AdminRouter } from '../adminRouter';
import type { AdminDeps } from '../deps';
import { readBodyText } from '../adminBody';
import { redactedSecretPaths, redactSecrets, restoreRedactedValues } from '../redactSecrets';
import { fileOf } from '../views';

export function registerConfigHandlers(router: AdminRouter, deps: AdminDeps): void {
  router
    .on('GET', '/config', (ctx) => {
      const store = deps.writableStore();
      const hash = contentHash(store.text);
      ctx.set('ETag', `"${hash}"`);
      const text = redactSecrets(store.text);
      if (wantsJson(ctx)) {
        ctx.body = { config: yamlData(text) as Record<string, unknown>, ...(store.file ? { file: store.file } : {}), hash } satisfies Admin.ConfigDocument;
      } else {
        ctx.type = 'application/yaml';
        ctx.body = text;
      }
    })
    .on('PUT', '/config', async (ctx) => {
      const store = deps.writableStore();
      const ifMatch = ctx.get('If-Match');
      const sent = await readBodyText(ctx.req, MAX_CONFIG_BYTES);
      if (sent.trim() === '')
        throw new AdminError(400, 'bad_request', 'The request has no body: send the config as YAML (Content-Type: application/yaml) or JSON.');
      const format = bodyFormat(ctx, sent);
      const body = restoreRedactedValues(sent, store.text);
      const redacted = redactedSecretPaths(body);
      if (redacted.length > 0) {
        throw new AdminError(
          400,
          'bad_request',
          `${redacted.join(', ')} still reads <redacted> (GET /config hides plaintext secrets, the digests of keys it cannot match by endpoint and name, and the user and password of URLs it cannot match to one URL of the running config): move the secret to an environment variable (jwt.secretEnv, apiKeys[].keyEnv, "\${VAR}" in a target header) or send the real value.`,
        );
      }
      try {
        const applied = await store.replace(body, format, ifMatch ? ifMatch.replace(/"/g, '') : undefined);
        ctx.body = { changes: applied.routes, warnings: applied.warnings, hash: contentHash(applied.text), ...fileOf(store) } satisfies Admin.ApplyResult;
      } catch (err) {
        // Diagnostics of a refused config point into the body that was sent, not into the gateway's file.
        throw toAdminError(err, undefined) ?? err;
      }
    });
}

function wantsJson(ctx: AdminContext): boolean {
  return (
    ctx.query.format === 'json' ||
    (ctx.query.format !== 'yaml' &&
      ctx.accepts('application/yaml', 'text/yaml', 'application/json') === 'application/json' &&
      ctx.get('Accept').includes('json'))
  );
}

function bodyFormat(ctx: AdminContext, body: string): ConfigFormat {
  if (ctx.is('application/json', '+json')) return 'json';
  if (ctx.is('application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml', 'text/plain')) return 'yaml';
  return body.trimStart().startsWith('{') ? 'json' : 'yaml';
}
