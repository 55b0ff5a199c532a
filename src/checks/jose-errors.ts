/**
 * jose errors → findings, in one place, by the error's `code` (and `claim` / `reason` for
 * claim failures). Callers pass what they were doing so the finding reads in plain words.
 */
import { errors } from 'jose';
import type { FindingCode } from './codes.js';
import { fail, type Evidence, type Finding } from './finding.js';

export interface JoseErrorContext {
  /** e.g. "the token's signature with key kid=abc". */
  what: string;
  evidence?: Evidence;
}

const CLAIM_CODE: Record<string, FindingCode> = {
  iss: 'TOKEN_ISSUER_MISMATCH',
  aud: 'TOKEN_AUDIENCE_MISMATCH',
  sub: 'TOKEN_SUBJECT_MISMATCH',
  nbf: 'TOKEN_NOT_YET_VALID',
  iat: 'TOKEN_ISSUED_IN_FUTURE',
  exp: 'TOKEN_EXPIRED',
};

interface Mapped {
  code: FindingCode;
  title: string;
  fix: string;
}

function mapCode(e: errors.JOSEError): Mapped {
  switch (e.code) {
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return {
        code: 'SIGNATURE_INVALID',
        title: 'The signature does not verify with the key the kid names',
        fix: 'The token was signed by another key under the same kid (a rotated or replaced key) or altered: publish the signer\'s current public key in the JWKS, or get a fresh token.',
      };
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return {
        code: 'TOKEN_ALG_UNSUPPORTED',
        title: 'The token\'s algorithm cannot be used with this key',
        fix: 'Sign with an algorithm that matches the key (RS256 with an RSA key for the ALB; STS also takes RS384/512 and ES256/384/512 with an EC key).',
      };
    case 'ERR_JWK_INVALID':
    case 'ERR_JWKS_INVALID':
      return { code: 'JWKS_INVALID', title: 'The key cannot be used', fix: 'Publish the public key as a valid JWK (kty, and n/e for RSA or crv/x/y for EC).' };
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return { code: 'JWKS_KID_NOT_FOUND', title: 'No key in the JWKS matches the token', fix: 'Publish the signing key (with the token\'s kid and alg) in the JWKS.' };
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return { code: 'JWKS_INVALID', title: 'Several keys in the JWKS match the token', fix: 'Give every key in the JWKS a unique kid.' };
    case 'ERR_JWT_EXPIRED':
      return { code: 'TOKEN_EXPIRED', title: 'The token has expired', fix: 'Get a fresh token.' };
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      const { claim, reason } = e as errors.JWTClaimValidationFailed;
      const code = reason === 'missing' ? 'TOKEN_CLAIM_MISSING' : (CLAIM_CODE[claim] ?? 'TOKEN_CLAIM_MISMATCH');
      return { code, title: `The token's "${claim}" claim failed validation (${reason})`, fix: `Issue a token whose "${claim}" claim meets the verifier's expectation.` };
    }
    default:
      return {
        code: 'TOKEN_MALFORMED',
        title: 'The token could not be processed',
        fix: 'Pass the compact token itself (three base64url parts separated by dots).',
      };
  }
}

/**
 * Turns an error thrown by jose into a finding. A non-jose error (e.g. an RSA key under
 * 2048 bits, which jose reports as a TypeError) is a SIGNATURE_INVALID: the key the kid
 * names cannot verify this signature.
 */
export function joseErrorFinding(e: unknown, ctx: JoseErrorContext): Finding {
  if (e instanceof errors.JOSEError) {
    const m = mapCode(e);
    const extra = e instanceof errors.JWTClaimValidationFailed || e instanceof errors.JWTExpired ? { claim: e.claim, reason: e.reason } : {};
    return fail(m.code, {
      title: m.title,
      detail: `Checking ${ctx.what} failed: ${e.message}.`,
      evidence: { jose_code: e.code, ...extra, ...ctx.evidence },
      fix: m.fix,
    });
  }
  const message = e instanceof Error ? e.message : String(e);
  return fail('SIGNATURE_INVALID', {
    title: 'The key the kid names cannot verify this token',
    detail: `Checking ${ctx.what} failed: ${message}.`,
    evidence: { error: e instanceof Error ? e.name : 'error', ...ctx.evidence },
    fix: 'Publish the signer\'s real public key under this kid (a key type matching the alg; RSA keys of at least 2048 bits).',
  });
}
