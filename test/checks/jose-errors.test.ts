import { errors } from 'jose';
import { describe, expect, it } from 'vitest';
import { joseErrorFinding } from '../../src/checks/jose-errors.js';

const ctx = { what: 'the token', evidence: { kid: 'k1' } };
const claimError = (claim: string, reason: string) => new errors.JWTClaimValidationFailed('claim failed', {}, claim, reason);

describe('joseErrorFinding', () => {
  it.each([
    ['SIGNATURE_INVALID', new errors.JWSSignatureVerificationFailed()],
    ['TOKEN_ALG_UNSUPPORTED', new errors.JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed')],
    ['TOKEN_ALG_UNSUPPORTED', new errors.JOSENotSupported('Unsupported "alg" value')],
    ['JWKS_INVALID', new errors.JWKInvalid('bad key')],
    ['JWKS_INVALID', new errors.JWKSMultipleMatchingKeys()],
    ['JWKS_KID_NOT_FOUND', new errors.JWKSNoMatchingKey()],
    ['TOKEN_EXPIRED', new errors.JWTExpired('"exp" claim timestamp check failed', {}, 'exp', 'check_failed')],
    ['TOKEN_ISSUER_MISMATCH', claimError('iss', 'check_failed')],
    ['TOKEN_AUDIENCE_MISMATCH', claimError('aud', 'check_failed')],
    ['TOKEN_SUBJECT_MISMATCH', claimError('sub', 'check_failed')],
    ['TOKEN_NOT_YET_VALID', claimError('nbf', 'check_failed')],
    ['TOKEN_ISSUED_IN_FUTURE', claimError('iat', 'check_failed')],
    ['TOKEN_CLAIM_MISSING', claimError('aud', 'missing')],
    ['TOKEN_CLAIM_MISMATCH', claimError('token_use', 'check_failed')],
    ['TOKEN_MALFORMED', new errors.JWSInvalid('Invalid Compact JWS')],
  ])('maps to %s', (code, e) => {
    const f = joseErrorFinding(e, ctx);
    expect(f).toMatchObject({ code, status: 'fail', evidence: { jose_code: (e as errors.JOSEError).code, kid: 'k1' } });
    expect(f.fix).toBeTruthy();
  });

  it('keeps claim and reason of a claim failure', () => {
    expect(joseErrorFinding(claimError('aud', 'check_failed'), ctx).evidence).toMatchObject({ claim: 'aud', reason: 'check_failed' });
  });

  it('maps a non-jose error (wrong key type) to SIGNATURE_INVALID', () => {
    const f = joseErrorFinding(new TypeError('CryptoKey does not support this operation'), ctx);
    expect(f).toMatchObject({ code: 'SIGNATURE_INVALID', status: 'fail', evidence: { error: 'TypeError' } });
  });
});
