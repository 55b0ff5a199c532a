/**
 * The ALB's public signing key for x-amzn-oidc-data: a PEM at
 * https://public-keys.auth.elb.<region>.amazonaws.com/<kid> (ALB User Guide, "User claims
 * encoding and signature verification"), fetched through the safe fetch. Only the kid — checked
 * to be a plain key id — is taken from the header; the host is fixed (or a test override).
 */
import { SourceError, UsageError } from './errors.js';
import { safeGet, type HttpPolicy } from './http.js';

export const albKeysBase = (region: string) => `https://public-keys.auth.elb.${region}.amazonaws.com`;

export async function fetchAlbPublicKey(kid: string, base: string, policy: HttpPolicy, signal?: AbortSignal): Promise<{ pem: string; url: string }> {
  if (!/^[A-Za-z0-9-]{1,128}$/.test(kid)) throw new UsageError(`The kid "${kid.slice(0, 60)}" is not a key id.`, 'The ALB uses UUID-like key ids; the value may not come from an ALB.');
  const url = `${base.replace(/\/+$/, '')}/${kid}`;
  const r = await safeGet(url, { ...policy, maxBytes: Math.min(policy.maxBytes, 16 * 1024) }, signal);
  if (!/-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----/.test(r.body)) {
    throw new SourceError('SOURCE_NOT_JSON', `${url} did not return a PEM public key.`, { status: r.status, content_type: r.contentType });
  }
  return { pem: r.body, url };
}
