// The written-down protocol between the extension, the language server and the gateway runtime.
// Every message that crosses a process boundary is typed here, once; each entry says which way it flows.
// Admin REST API shapes live in the `Admin` namespace, custom LSP requests in `Lsp`, and the lines the
// gateway process prints for its parent (the extension) in `ProcessEvents`.

import type { Diagnostic, LogLevel } from './config/types';

/** Error body of every non-2xx answer of the gateway and its admin API. */
export interface ErrorBody {
  error: {
    type: string; // e.g. "route_not_found", "upstream_unreachable", "invalid_config"
    message: string;
    route?: string;
    requestId?: string;
    diagnostics?: Diagnostic[];
  };
}

/**
 * Gateway process -> parent (extension, tests). The runtime logs JSON lines (pino) to stdout; these are the
 * `msg` values a parent may rely on, with their extra fields.
 */
export namespace ProcessEvents {
  /** Printed once the listener is up. */
  export const listening = 'gateway listening';
  export interface Listening {
    msg: typeof listening;
    url: string; // e.g. http://127.0.0.1:8080
    adminUrl: string; // where /api/v1 is served (same as url unless a separate admin listener is configured)
  }
  /** A config change from the watched file was applied. */
  export const configApplied = 'config applied';
  /** A config change was refused; the last good config keeps serving. */
  export const configRejected = 'config rejected';
  export interface ConfigRejected {
    msg: typeof configRejected;
    diagnostics: Diagnostic[];
  }
}

/** Admin REST API (`/api/v1`, Bearer AI_GATEWAY_API_KEY): client (CLI, SDK, extension) -> gateway. */
export namespace Admin {
  export const basePath = '/api/v1';
  export interface LogLevelBody {
    level: LogLevel;
  }
}
