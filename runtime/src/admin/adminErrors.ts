// Every refusal of the admin API in the runtime's error shape, with the status a client can act on:
// 400 unreadable body, 401 key, 403 off or read-only, 404 unknown, 409 duplicate or hand-edited file, 412 stale
// If-Match, 422 invalid config.
import type { Diagnostic } from '../../../common/src/config';
import { ConfigApplyError, ConfigChangedError, ConfigConflictError, ConfigInvalidError, ConfigReadOnlyError } from '../configStore/errors';
import type { Admin } from '../../../common/src/protocol';

export class AdminError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly diagnostics?: Diagnostic[],
    readonly file?: string,
  ) {
    super(message);
  }
}

const DUPLICATE_CODES = new Set(['route.duplicate', 'route.duplicateName', 'security.duplicate']);

/** Maps what the config store threw to the admin error; `file` is what diagnostic positions refer to. */
export function toAdminError(err: unknown, file: string | undefined): AdminError | undefined {
  if (err instanceof AdminError) return err;
  if (err instanceof ConfigInvalidError) {
    const duplicate = err.errors.find((d) => DUPLICATE_CODES.has(d.code));
    if (duplicate) return new AdminError(409, 'already_exists', `${duplicate.message} Nothing was changed.`, err.diagnostics, file);
    const first = err.errors[0];
    const where = first ? ` First error: ${first.message} (line ${first.range.start.line + 1}, column ${first.range.start.character + 1}).` : '';
    return new AdminError(422, 'invalid_config', `${err.message}${where}`, err.diagnostics, file);
  }
  if (err instanceof ConfigConflictError) return new AdminError(409, 'config_conflict', err.message);
  if (err instanceof ConfigChangedError) return new AdminError(412, 'precondition_failed', err.message);
  if (err instanceof ConfigReadOnlyError) return new AdminError(403, 'read_only', err.message);
  if (err instanceof ConfigApplyError) return new AdminError(422, 'apply_failed', err.message);
  return undefined;
}

export function errorResponse(err: AdminError, requestId?: string): Admin.ErrorResponse {
  return {
    error: {
      type: err.type,
      message: err.message,
      ...(requestId ? { requestId } : {}),
      ...(err.diagnostics ? { diagnostics: err.diagnostics } : {}),
      ...(err.file ? { file: err.file } : {}),
    },
  };
}
