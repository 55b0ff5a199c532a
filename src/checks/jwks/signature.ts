/**
 * The token against a key set: is its `kid` served (TOKEN_KID_MISSING, JWKS_KID_NOT_FOUND),
 * and does the signature verify with that key (SIGNATURE_INVALID)? Signature only: no claim
 * is judged here (jose's compactVerify, never jwtVerify).
 */
import { compactVerify, importJWK, type ProtectedHeaderParameters } from 'jose';
import { joseErrorFinding } from '../jose-errors.js';
import { fail, pass, skip, warn, type Finding } from '../finding.js';
import { CONSUMER_NAME, KID_REQUIRED, missingKidDetail, type Consumer } from '../token/header.js';
import type { KeyFacts } from './keys.js';

const KTY_FOR: Record<string, string> = { RS: 'RSA', PS: 'RSA', ES: 'EC' };
const CRV_FOR: Record<string, string> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };

export interface KidMatch {
  finding: Finding;
  key?: KeyFacts | undefined;
}

/** The key type an algorithm needs (RSA for RS/PS, EC for ES, OKP for EdDSA). */
export function ktyFor(alg: string | undefined): string | undefined {
  if (!alg) return undefined;
  return KTY_FOR[alg.slice(0, 2)] ?? (alg === 'EdDSA' || alg === 'Ed25519' ? 'OKP' : undefined);
}

/**
 * Keys that could have made a signature with `alg`: the right kty (and curve), no other
 * declared alg, not an encryption key — the same filter jose's local key set applies.
 */
export function keysFitting(alg: string | undefined, keys: readonly KeyFacts[]): KeyFacts[] {
  const kty = ktyFor(alg);
  return keys.filter((k) => k.usable && k.kty === kty && (k.alg === undefined || k.alg === alg) && (k.use === undefined || k.use === 'sig') && (CRV_FOR[alg ?? ''] === undefined || k.crv === CRV_FOR[alg ?? '']));
}

/**
 * Finds the key the token's `kid` names. Without a kid, the one key that fits the algorithm
 * (kty/alg/curve), when there is exactly one, so the signature can still be verified; the
 * missing kid itself is then judged by the consumer's rule (fail for the ALB and the bridge,
 * warn for STS and a generic verifier).
 */
export function matchKid(header: ProtectedHeaderParameters, keys: KeyFacts[], where = 'the JWKS', consumer: Consumer = 'generic'): KidMatch {
  const kid = header.kid;
  const served = keys.map((k) => k.kid).filter((k): k is string => k !== undefined);
  if (kid === undefined) {
    const fitting = keysFitting(header.alg, keys);
    const key = fitting.length === 1 ? fitting[0] : undefined;
    // STS without kid (assumption, not documented by AWS): with several keys that fit the alg it
    // cannot choose, and answers "Couldn't retrieve verification key" — the kid is then the cause.
    // With none that fits, the key set is the problem (JWKS_CONSUMER_LIMIT / the keys), not the kid.
    const ambiguous = consumer === 'sts' && fitting.length > 1;
    const strict = KID_REQUIRED[consumer] || ambiguous;
    const picked = key
      ? ` Exactly one key in ${where} fits ${String(header.alg)} (${key.kid ?? `#${key.index}`}), so the signature is checked with it.`
      : ` ${fitting.length === 0 ? `No key in ${where} fits ${String(header.alg)}` : `${fitting.length} keys in ${where} fit ${String(header.alg)}`}, so no key can be chosen and the signature is not checked.`;
    const init = {
      title: ambiguous
        ? `The token header has no kid and ${fitting.length} keys fit ${String(header.alg)}: STS cannot choose one`
        : strict ? `The token header has no kid; ${CONSUMER_NAME[consumer]} rejects it` : `The token header has no kid${key ? '; the single fitting key was used' : ''}`,
      detail: `${missingKidDetail(consumer, keys.length)}${picked}`,
      evidence: { alg: header.alg, consumer, served_kids: served, fitting_keys: fitting.map((k) => k.kid ?? `#${k.index}`) },
      fix: 'Configure the issuer to put the key id (kid) in the JWT header.',
    };
    return { key, finding: strict ? fail('TOKEN_KID_MISSING', init) : warn('TOKEN_KID_MISSING', init) };
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
  const evidence = { kid: key.kid ?? null, alg, key_alg: key.alg, key_thumbprint: key.thumbprint };
  const name = key.kid ?? `#${key.index} (no kid)`;
  if (!alg || alg === 'none') return skip('SIGNATURE_INVALID', { title: 'Signature not checked: the token is unsecured', evidence });
  if (key.alg !== undefined && key.alg !== alg) {
    return fail('SIGNATURE_INVALID', {
      title: `The key ${name} is for ${key.alg}, but the token says ${alg}`,
      detail: 'A verifier only uses a key for the algorithm it declares, so this token cannot verify.',
      evidence,
      fix: `Sign with ${key.alg} (as the key declares), or publish the key with alg ${alg}.`,
    });
  }
  const needs = ktyFor(alg);
  if (needs && key.kty !== needs) {
    return fail('SIGNATURE_INVALID', {
      title: `The key ${name} is ${key.kty ?? 'untyped'}, but ${alg} needs an ${needs} key`,
      detail: 'The kid names a key of another type than the one that made this signature.',
      evidence,
      fix: `Publish the signer's ${needs} public key under this kid (or give the other key its own kid).`,
    });
  }
  if (key.use !== undefined && key.use !== 'sig') {
    return fail('SIGNATURE_INVALID', {
      title: `The key ${name} is for use "${key.use}", not signatures`,
      evidence,
      fix: 'Publish the signing key with use "sig".',
    });
  }
  try {
    const cryptoKey = await importJWK(key.jwk, alg);
    await compactVerify(raw, cryptoKey, { algorithms: [alg] });
  } catch (e) {
    return joseErrorFinding(e, { what: `the signature with key ${name}`, evidence });
  }
  return pass('SIGNATURE_INVALID', { title: `The signature verifies with key ${name}`, evidence });
}
