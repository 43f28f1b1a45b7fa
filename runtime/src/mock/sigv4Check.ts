// Checks an AWS Signature Version 4 the way AWS does, for the Bedrock mock: the access key and session token must
// be the configured test credentials, the date within 5 minutes, the payload hash the body's, and the signature the
// one @smithy/signature-v4 computes over the headers the request says it signed. A Bedrock API key (Bearer) passes too.
import { createHash } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { headerValue, type MockExchange } from './wire';

export interface AwsAuthFailure {
  status: number;
  type: string;
  message: string;
}

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;
const MAX_SKEW_MS = 5 * 60_000;
const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

export async function checkAwsAuth(ex: MockExchange, now = Date.now()): Promise<AwsAuthFailure | undefined> {
  const authorization = headerValue(ex.req, 'authorization');
  if (!authorization) return { status: 403, type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
  if (authorization.startsWith('Bearer ')) {
    const key = authorization.slice(7);
    if (key === '' || (ex.options.apiKey !== undefined && key !== ex.options.apiKey))
      return { status: 403, type: 'UnrecognizedClientException', message: 'Invalid API Key format: Must start with pre-defined prefix' };
    return undefined;
  }
  const parsed = AUTHORIZATION.exec(authorization);
  if (!parsed)
    return {
      status: 403,
      type: 'IncompleteSignatureException',
      message: `Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.`,
    };
  const [, accessKeyId, , region, service, signedHeaderList, signature] = parsed as unknown as [string, string, string, string, string, string, string];
  const credentials = ex.options.aws;
  const sessionToken = headerValue(ex.req, 'x-amz-security-token');
  if (accessKeyId !== credentials.accessKeyId || sessionToken !== credentials.sessionToken) {
    return { status: 403, type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  }
  const amzDate = headerValue(ex.req, 'x-amz-date') ?? '';
  const signedAt = Date.parse(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
  if (!Number.isFinite(signedAt)) return { status: 403, type: 'IncompleteSignatureException', message: 'Date must be in ISO-8601 basic format (x-amz-date).' };
  if (Math.abs(now - signedAt) > MAX_SKEW_MS)
    return {
      status: 403,
      type: 'InvalidSignatureException',
      message: `Signature expired: ${amzDate} is now earlier or later than the 5 minute window around the server time.`,
    };
  const claimedHash = headerValue(ex.req, 'x-amz-content-sha256');
  if (claimedHash !== undefined && claimedHash !== 'UNSIGNED-PAYLOAD' && claimedHash !== createHash('sha256').update(ex.raw).digest('hex')) {
    return { status: 403, type: 'InvalidSignatureException', message: MISMATCH };
  }
  const signedHeaders = signedHeaderList.split(';');
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = ex.req.headers[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const signer = new SignatureV4({ credentials, region, service, sha256: Sha256 });
  const [path = '/', search = ''] = (ex.req.url ?? '/').split('?');
  const host = (headers.host ?? '').split(':');
  const expected = await signer.sign(
    {
      method: ex.method,
      protocol: 'http:',
      hostname: host[0] ?? '',
      port: host[1] ? Number(host[1]) : undefined,
      path,
      query: queryObject(search),
      headers,
      body: ex.raw,
    },
    { signingDate: new Date(signedAt), signableHeaders: new Set(signedHeaders) },
  );
  if (!String(expected.headers.authorization).endsWith(`Signature=${signature}`)) return { status: 403, type: 'InvalidSignatureException', message: MISMATCH };
  return undefined;
}

function queryObject(search: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(search)) {
    const seen = query[key];
    query[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return query;
}
