// "Copy as curl": the request as a shell command. The credential is never copied: it is referenced as an
// environment variable the user sets in their shell.
import type { TestRequestSpec } from './requestTemplate';

export const curlCredentialVariable = 'AI_GATEWAY_TEST_TOKEN';

function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function toCurl(baseUrl: string, spec: TestRequestSpec, withCredential: boolean): string {
  const parts = ['curl', '-sS', '-N'];
  if (spec.method !== 'GET') parts.push('-X', spec.method);
  parts.push(quote(new URL(spec.path, baseUrl).toString()));
  for (const [name, value] of Object.entries(spec.headers)) parts.push('-H', quote(`${name}: ${value}`));
  if (withCredential) parts.push('-H', `"Authorization: Bearer \$${curlCredentialVariable}"`);
  if (spec.body !== '') parts.push('--data-raw', quote(spec.body));
  return parts.join(' ');
}
