// HMAC-SHA256 of the exact bytes sent, hex encoded, as `sha256=<hex>` (the GitHub webhook convention), so a
// receiver can verify with one line of any standard library.
import { createHmac, timingSafeEqual } from 'node:crypto';

export function signBody(body: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** For receivers (and tests): true when `header` is the signature of `body` under `secret`. */
export function verifySignature(body: string | Buffer, secret: string, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signBody(body, secret));
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
