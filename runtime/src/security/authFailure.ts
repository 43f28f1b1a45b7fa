// Why a request was not let through by authentication. `reason` is one of a fixed set of phrases and never
// carries the token, the key or any configured secret: it is sent to the client and written to logs as is.

export type AuthFailureKind =
  | 'missing' // no credentials: 401 without an error code (RFC 6750 §3.1)
  | 'invalid' // bad credentials: 401 error="invalid_token"
  | 'forbidden' // authenticated but not allowed here: 403
  | 'unavailable'; // the keys to check credentials could not be fetched: 503

export class AuthFailure extends Error {
  constructor(
    readonly kind: AuthFailureKind,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'AuthFailure';
  }

  get status(): number {
    return this.kind === 'forbidden' ? 403 : this.kind === 'unavailable' ? 503 : 401;
  }
}

export const invalid = (reason: string): AuthFailure => new AuthFailure('invalid', reason);
