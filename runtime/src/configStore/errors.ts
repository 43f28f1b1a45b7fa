// Why the config store refused a change. The admin API maps each to its status (409, 412, 422, 403); nothing was
// applied or written when one is thrown.
import type { Diagnostic } from '../../../common/src/config';

/** The file changed on disk since the gateway loaded it (a hand edit): overwriting it would lose that edit. */
export class ConfigConflictError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(
      `${file} ${detail} since the gateway loaded it; the change was not written, so that edit is kept. Save or revert the file (the gateway reloads it), then retry.`,
    );
  }
}

/** The config is no longer the one the client read (If-Match): applying the change would undo another's. */
export class ConfigChangedError extends Error {
  constructor() {
    super('The config changed since you read it (If-Match does not match): GET /api/v1/config again and re-apply your change.');
  }
}

/** The config the change would produce has errors: the diagnostics say what and where. */
export class ConfigInvalidError extends Error {
  constructor(
    readonly diagnostics: Diagnostic[],
    readonly text: string,
    message = 'The change would make the config invalid; nothing was changed.',
  ) {
    super(message);
  }

  get errors(): Diagnostic[] {
    return this.diagnostics.filter((d) => d.severity === 'error');
  }
}

/** The runtime could not compile the config (it validated, but e.g. a target cannot be set up). */
export class ConfigApplyError extends Error {}

/** `gateway.admin.readOnly`: the config has another source of truth (e.g. a Kubernetes ConfigMap). */
export class ConfigReadOnlyError extends Error {
  constructor() {
    super('The admin API is read-only (gateway.admin.readOnly: true): change the config at its source instead.');
  }
}
