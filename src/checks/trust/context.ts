/**
 * The request context IAM builds for AssumeRoleWithWebIdentity: the federated principal (the
 * provider ARN) and condition keys `<provider-url>:<claim>` — only for the claims IAM makes
 * keys of for this issuer (presets/condition-keys.ts: `aud`, `sub`, `amr`; Google `oaud` with
 * `aud` ← `azp`; GitHub Actions its nine claims). Any other claim gets no key.
 */
import { conditionKeysFor } from '../../presets/condition-keys.js';
import type { TrustRequest } from './evaluate.js';

export const ASSUME_ACTION = 'sts:AssumeRoleWithWebIdentity';

/** The provider URL IAM stores for an issuer: the issuer without `https://` (host + path, slash kept). */
export function providerUrlOf(issuer: string): string {
  return issuer.replace(/^https:\/\//i, '');
}

/** `arn:<partition>:iam::<account>:oidc-provider/<url>` from a role ARN (for its account) and the URL. */
export function providerArnFor(roleArn: string, providerUrl: string): string | undefined {
  const m = /^arn:([^:]+):iam::(\d{12}):/.exec(roleArn);
  return m ? `arn:${m[1]}:iam::${m[2]}:oidc-provider/${providerUrl}` : undefined;
}

function values(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (typeof v === 'number' || typeof v === 'boolean') return [String(v)];
  if (Array.isArray(v)) {
    const xs = v.filter((x) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean').map(String);
    return xs.length ? xs : undefined;
  }
  return undefined;
}

export function webIdentityRequest(providerArn: string, providerUrl: string, claims: Record<string, unknown>, extra: Record<string, string[]> = {}): TrustRequest {
  const keys = conditionKeysFor(providerUrl);
  const context: Record<string, string[]> = {};
  for (const keyClaim of keys.claims) {
    const from = keys.mapped?.[keyClaim] ?? keyClaim;
    // Google: :aud is read from azp only when the token has one; without azp, :aud is aud.
    const source = keys.mapped && keyClaim === 'aud' && claims.azp === undefined ? 'aud' : from;
    if (keys.mapped && keyClaim === 'oaud' && claims.azp === undefined) continue;
    const vals = values(claims[source]);
    if (vals) context[`${providerUrl}:${keyClaim}`] = vals;
  }
  return { principal: providerArn, action: ASSUME_ACTION, context: { ...context, ...extra } };
}
