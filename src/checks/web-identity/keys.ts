/**
 * Does the public JWKS (as AWS would fetch it) serve the token's kid, and does the signature
 * verify with it? jose with a local key set; the JWKS arrives as plain JSON.
 */
import { compactVerify, createLocalJWKSet, errors, type JSONWebKeySet } from 'jose';

export interface KeyFacts {
  kids: string[];
  kidServed: boolean;
  signature: 'valid' | 'invalid' | 'unchecked';
  reason?: string;
}

function kidsOf(jwks: unknown): string[] {
  const keys = (jwks as { keys?: unknown })?.keys;
  return Array.isArray(keys) ? keys.map((k) => (k as { kid?: unknown })?.kid).filter((k): k is string => typeof k === 'string') : [];
}

export async function verifyWithJwks(rawToken: string, kid: string | undefined, jwks: unknown): Promise<KeyFacts> {
  const kids = kidsOf(jwks);
  const kidServed = kid !== undefined && kids.includes(kid);
  if (!kidServed) return { kids, kidServed, signature: 'unchecked', reason: kid === undefined ? 'the token has no kid' : `kid "${kid}" is not in the JWKS` };
  try {
    await compactVerify(rawToken, createLocalJWKSet(jwks as JSONWebKeySet));
    return { kids, kidServed, signature: 'valid' };
  } catch (e) {
    if (e instanceof errors.JWSSignatureVerificationFailed) return { kids, kidServed, signature: 'invalid', reason: 'the signature does not verify with the served key' };
    const code = (e as { code?: string }).code ?? 'error';
    return { kids, kidServed, signature: 'invalid', reason: `jose: ${code}` };
  }
}
