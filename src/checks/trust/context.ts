/**
 * The request context IAM builds for AssumeRoleWithWebIdentity: the federated principal (the
 * provider ARN) and condition keys `<provider-url>:<claim>` for the token's claims (`sub`,
 * `aud` — multi-valued when the token has several audiences — `amr`, `email`…).
 */
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
  const context: Record<string, string[]> = {};
  for (const [claim, v] of Object.entries(claims)) {
    const vals = values(v);
    if (vals) context[`${providerUrl}:${claim}`] = vals;
  }
  return { principal: providerArn, action: ASSUME_ACTION, context: { ...context, ...extra } };
}
