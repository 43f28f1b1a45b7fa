// Who may use the admin API: the bearer of the gateway process's AI_GATEWAY_API_KEY. Keys are compared as
// SHA-256 digests with timingSafeEqual, so neither the content nor the length of the key leaks through timing.
import { createHash, timingSafeEqual } from 'node:crypto';

export type AdminKeyCheck = 'ok' | 'disabled' | 'missing' | 'wrong';

export const ADMIN_KEY_ENV = 'AI_GATEWAY_API_KEY';

export function adminKeyChecker(apiKey: string | undefined): (authorization: string | undefined) => AdminKeyCheck {
  const expected = apiKey ? digest(apiKey) : undefined;
  return (authorization) => {
    if (!expected) return 'disabled';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) return 'missing';
    return timingSafeEqual(digest(match[1] as string), expected) ? 'ok' : 'wrong';
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
