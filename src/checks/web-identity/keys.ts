/**
 * Does the public JWKS (as AWS would fetch it) serve the token's key, and does the signature
 * verify with it? jose with a local key set; the JWKS arrives as plain JSON. A token without
 * kid is verified with the one key that fits its alg (kty/alg/curve), when there is exactly
 * one — as jose's local key set does; STS's own choice without kid is not documented.
 */
import { compactVerify, createLocalJWKSet, errors, type JSONWebKeySet } from 'jose';
import { keysFitting } from '../jwks/signature.js';
import { readKeySet } from '../jwks/keys.js';

export interface KeyFacts {
  kids: string[];
  kidServed: boolean;
  signature: 'valid' | 'invalid' | 'unchecked';
  /** The token has no kid and exactly one key fits: that key was used. */
  pickedWithoutKid?: boolean;
  reason?: string;
}

function kidsOf(jwks: unknown): string[] {
  const keys = (jwks as { keys?: unknown })?.keys;
  return Array.isArray(keys) ? keys.map((k) => (k as { kid?: unknown })?.kid).filter((k): k is string => typeof k === 'string') : [];
}

async function verify(rawToken: string, jwks: JSONWebKeySet): Promise<Pick<KeyFacts, 'signature' | 'reason'>> {
  try {
    await compactVerify(rawToken, createLocalJWKSet(jwks));
    return { signature: 'valid' };
  } catch (e) {
    if (e instanceof errors.JWSSignatureVerificationFailed) return { signature: 'invalid', reason: 'the signature does not verify with the served key' };
    return { signature: 'invalid', reason: `jose: ${(e as { code?: string }).code ?? 'error'}` };
  }
}

export async function verifyWithJwks(rawToken: string, kid: string | undefined, jwks: unknown, alg?: string): Promise<KeyFacts> {
  const kids = kidsOf(jwks);
  if (kid === undefined) {
    const set = await readKeySet(jwks);
    const fitting = keysFitting(alg, set.keys);
    if (fitting.length !== 1) return { kids, kidServed: false, signature: 'unchecked', reason: `the token has no kid and ${fitting.length} keys fit ${alg ?? 'its alg'}` };
    return { kids, kidServed: true, pickedWithoutKid: true, ...(await verify(rawToken, { keys: [fitting[0]!.jwk] })) };
  }
  const kidServed = kids.includes(kid);
  if (!kidServed) return { kids, kidServed, signature: 'unchecked', reason: `kid "${kid}" is not in the JWKS` };
  return { kids, kidServed, ...(await verify(rawToken, jwks as JSONWebKeySet)) };
}
