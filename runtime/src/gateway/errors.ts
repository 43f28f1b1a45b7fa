// Every error the gateway itself answers has one shape (protocol.ts ErrorBody) and never a stack trace.
import type { ErrorBody } from '../../../common/src/protocol';
import type { GatewayContext } from './context';

export type GatewayErrorType =
  | 'route_not_found'
  | 'method_not_allowed'
  | 'upstream_unreachable'
  | 'upstream_timeout'
  | 'no_healthy_target'
  | 'request_too_large'
  | 'bad_request'
  | 'internal_error';

export function errorBody(type: string, message: string, route: string | undefined, requestId: string | undefined): ErrorBody {
  return { error: { type, message, ...(route !== undefined ? { route } : {}), ...(requestId !== undefined ? { requestId } : {}) } };
}

export function respondWithError(
  ctx: GatewayContext,
  status: number,
  type: GatewayErrorType | (string & {}),
  message: string,
  route = ctx.state.route?.name,
): void {
  ctx.status = status;
  ctx.body = errorBody(type, message, route, ctx.state.requestId);
}
