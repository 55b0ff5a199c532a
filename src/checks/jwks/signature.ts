/**
 * The token against a key set: is its `kid` served (TOKEN_KID_MISSING, JWKS_KID_NOT_FOUND),
 * and does the signature verify with that key (SIGNATURE_INVALID)? Signature only: no claim
 * is judged here (jose's compactVerify, never jwtVerify).
 */
import { compactVerify, importJWK, type ProtectedHeaderParameters } from 'jose';
import { joseErrorFinding } from '../jose-errors.js';
import { fail, pass, skip, type Finding } from '../finding.js';
import type { KeyFacts } from './keys.js';

const KTY_FOR: Record<string, string> = { RS: 'RSA', PS: 'RSA', ES: 'EC' };

export interface KidMatch {
  finding: Finding;
  key?: KeyFacts | undefined;
}

/** Finds the key the token's `kid` names. */
export function matchKid(header: ProtectedHeaderParameters, keys: KeyFacts[], where = 'the JWKS'): KidMatch {
  const kid = header.kid;
  const served = keys.map((k) => k.kid).filter((k): k is string => k !== undefined);
  if (kid === undefined) {
    return {
      finding: fail('TOKEN_KID_MISSING', {
        title: 'The token header has no kid',
        detail: `ALB and STS pick the verification key by kid; without one they cannot choose among ${keys.length} key(s).`,
        evidence: { alg: header.alg, served_kids: served },
        fix: 'Configure the issuer to put the key id (kid) in the JWT header.',
      }),
    };
  }
  const key = keys.find((k) => k.kid === kid);
  if (!key) {
    return {
      finding: fail('JWKS_KID_NOT_FOUND', {
        title: `The token's kid ${kid} is not in ${where}`,
        detail: `${where} serves ${served.length ? served.join(', ') : 'no kids'}. The token was signed by a key that is not (or no longer, or not yet) published.`,
        evidence: { kid, served_kids: served },
        fix: 'Publish the signing key in the JWKS (after a rotation: keep the old key until its tokens expire), or get a token signed by a served key.',
      }),
    };
  }
  return { key, finding: pass('JWKS_KID_NOT_FOUND', { title: `The token's kid ${kid} is served`, evidence: { kid } }) };
}

/** Verifies the token's signature with the selected key. `raw` stays in here. */
export async function checkSignature(raw: string, header: ProtectedHeaderParameters, key: KeyFacts | undefined): Promise<Finding> {
  if (!key) return skip('SIGNATURE_INVALID', { title: 'Signature not checked: no key selected' });
  const alg = header.alg;
  const evidence = { kid: key.kid, alg, key_alg: key.alg, key_thumbprint: key.thumbprint };
  if (!alg || alg === 'none') return skip('SIGNATURE_INVALID', { title: 'Signature not checked: the token is unsecured', evidence });
  if (key.alg !== undefined && key.alg !== alg) {
    return fail('SIGNATURE_INVALID', {
      title: `The key ${key.kid} is for ${key.alg}, but the token says ${alg}`,
      detail: 'A verifier only uses a key for the algorithm it declares, so this token cannot verify.',
      evidence,
      fix: `Sign with ${key.alg} (as the key declares), or publish the key with alg ${alg}.`,
    });
  }
  const needs = KTY_FOR[alg.slice(0, 2)] ?? (alg === 'EdDSA' || alg === 'Ed25519' ? 'OKP' : undefined);
  if (needs && key.kty !== needs) {
    return fail('SIGNATURE_INVALID', {
      title: `The key ${key.kid} is ${key.kty ?? 'untyped'}, but ${alg} needs an ${needs} key`,
      detail: 'The kid names a key of another type than the one that made this signature.',
      evidence,
      fix: `Publish the signer's ${needs} public key under this kid (or give the other key its own kid).`,
    });
  }
  if (key.use !== undefined && key.use !== 'sig') {
    return fail('SIGNATURE_INVALID', {
      title: `The key ${key.kid} is for use "${key.use}", not signatures`,
      evidence,
      fix: 'Publish the signing key with use "sig".',
    });
  }
  try {
    const cryptoKey = await importJWK(key.jwk, alg);
    await compactVerify(raw, cryptoKey, { algorithms: [alg] });
  } catch (e) {
    return joseErrorFinding(e, { what: `the signature with key ${key.kid}`, evidence });
  }
  return pass('SIGNATURE_INVALID', { title: `The signature verifies with key ${key.kid}`, evidence });
}
