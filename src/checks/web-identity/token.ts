/**
 * A token against what STS AssumeRoleWithWebIdentity requires: 4 to 20,000 characters, a
 * signed JWS with an accepted algorithm (RS/ES 256/384/512; a missing kid only warns), `iss`
 * https (and exactly the expected issuer), `aud` containing the audience (default
 * `sts.amazonaws.com`), `sub` equal to the expected subject, not expired beyond STS's 5-minute
 * clock-skew window.
 *
 * Sources: STS API reference, AssumeRoleWithWebIdentity → WebIdentityToken "Length
 * Constraints: Minimum length of 4. Maximum length of 20000."; IAM User Guide, "OIDC
 * federation": "IAM provides a five-minute window beyond the expiration time specified in the
 * JWT to account for clock skew".
 */
import { describeDifference } from '../token/difference.js';
import { checkAlg, checkForm, checkKid } from '../token/header.js';
import type { TokenFacts } from '../token/inspect.js';
import { checkTokenTime } from '../token/time.js';
import { fail, pass, skip, type Finding } from '../finding.js';

export const STS_AUDIENCE = 'sts.amazonaws.com';
/** STS's clock-skew window past exp, in seconds (IAM User Guide, "OIDC federation"). */
export const STS_SKEW_SECONDS = 300;
/** WebIdentityToken length constraints (STS API reference). */
export const STS_TOKEN_LENGTH = { min: 4, max: 20000 } as const;

/** TOKEN_LENGTH_INVALID: outside 4..20,000 characters STS answers ValidationError before looking at the token. */
export function checkTokenLength(length: number): Finding {
  const evidence = { length, min: STS_TOKEN_LENGTH.min, max: STS_TOKEN_LENGTH.max };
  if (length >= STS_TOKEN_LENGTH.min && length <= STS_TOKEN_LENGTH.max) return pass('TOKEN_LENGTH_INVALID', { title: `The token is ${length} characters, within STS's 4–20,000`, evidence });
  const tooLong = length > STS_TOKEN_LENGTH.max;
  return fail('TOKEN_LENGTH_INVALID', {
    title: `The token is ${length} characters; STS accepts ${tooLong ? 'at most 20,000' : 'at least 4'}`,
    detail: `STS validates the WebIdentityToken parameter's length before anything else and answers ValidationError ("Member must have length ${tooLong ? 'less than or equal to 20000' : 'greater than or equal to 4'}") — no provider lookup, no key fetch.${tooLong ? ' Large tokens usually carry many groups or custom claims.' : ''}`,
    evidence,
    fix: tooLong ? 'Mint a smaller token: drop groups/custom claims from this client\'s token, or use a dedicated audience with fewer claims.' : 'Pass the token itself (the file content), not a path or an empty value.',
  });
}

export interface StsExpectations {
  issuer?: string | undefined;
  audience: string;
  subject?: string | undefined;
  /** Clock-skew allowance in seconds (STS: 300, its documented window past exp). */
  skewSeconds?: number;
  /** The token's length in characters, when known (TOKEN_LENGTH_INVALID). */
  tokenLength?: number | undefined;
}

export function audiencesOf(claims: Record<string, unknown>): string[] {
  const aud = claims.aud;
  if (typeof aud === 'string') return [aud];
  return Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
}

export function checkIssuer(iss: unknown, expected: string | undefined): Finding {
  if (typeof iss !== 'string' || !iss) {
    return fail('TOKEN_CLAIM_MISSING', { title: 'The token has no iss claim', detail: 'STS finds the IAM OIDC provider by iss; without it the token is rejected.', evidence: { claim: 'iss' }, fix: 'Configure the issuer to set iss (Kubernetes: --service-account-issuer=<public issuer URL>).' });
  }
  if (!/^https:\/\//.test(iss)) {
    return fail('TOKEN_ISSUER_MISMATCH', { title: 'iss is not an https URL', detail: `iss is "${iss}"; STS only trusts https issuers (the IAM provider URL is https).`, evidence: { iss }, fix: 'Set the issuer to its public https URL (Kubernetes: --service-account-issuer=https://<host>).' });
  }
  if (expected === undefined) return pass('TOKEN_ISSUER_MISMATCH', { title: `iss is ${iss}`, evidence: { iss } });
  const d = describeDifference(iss, expected);
  if (!d) return pass('TOKEN_ISSUER_MISMATCH', { title: 'iss is exactly the expected issuer', evidence: { iss } });
  return fail('TOKEN_ISSUER_MISMATCH', {
    title: 'iss differs from the expected issuer',
    detail: `iss "${iss}" vs expected "${expected}": ${d.text}. STS compares byte for byte (a trailing slash counts).`,
    evidence: { iss, expected, difference: d.kind },
    fix: `Make the API server's --service-account-issuer exactly ${expected} (or create the IAM provider for ${iss}).`,
  });
}

export function checkAudience(claims: Record<string, unknown>, audience: string): Finding {
  const auds = audiencesOf(claims);
  const evidence = { aud: claims.aud ?? null, expected: audience };
  if (!auds.length) {
    return fail('TOKEN_AUDIENCE_MISMATCH', { title: 'The token has no aud claim', detail: 'STS answers "Missing a required claim: aud".', evidence, fix: `Request the token with audience ${audience} (projected token: audience: ${audience}; API server --api-audiences must include it).` });
  }
  if (auds.includes(audience)) return pass('TOKEN_AUDIENCE_MISMATCH', { title: `aud includes ${audience}`, evidence });
  const near = auds.map((a) => ({ a, d: describeDifference(a, audience) })).find((x) => x.d && x.d.kind !== 'different');
  const amazon = auds.includes('sts.amazon.com') ? ' "sts.amazon.com" is a common typo: the audience is sts.amazonaws.com.' : '';
  return fail('TOKEN_AUDIENCE_MISMATCH', {
    title: `aud does not include ${audience}`,
    detail: `aud is ${JSON.stringify(claims.aud)}.${near?.d ? ` Near miss "${near.a}": ${near.d.text}.` : ''}${amazon} STS answers "Incorrect token audience" unless the IAM provider lists one of the token's audiences.`,
    evidence,
    fix: `Mint the token for ${audience} (serviceAccountToken projection audience: ${audience}), or add the token's audience to the provider: aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn <arn> --client-id <aud>.`,
  });
}

export function checkSubject(sub: unknown, expected: string | undefined): Finding {
  if (expected === undefined) return skip('TOKEN_SUBJECT_MISMATCH', { title: 'No expected subject given (namespace and service_account)' });
  if (sub === expected) return pass('TOKEN_SUBJECT_MISMATCH', { title: `sub is ${expected}`, evidence: { sub } });
  const d = typeof sub === 'string' ? describeDifference(sub, expected) : undefined;
  return fail('TOKEN_SUBJECT_MISMATCH', {
    title: 'sub is not the expected service account',
    detail: `sub is ${JSON.stringify(sub ?? null)}, expected "${expected}"${d ? `: ${d.text}` : ''}.`,
    evidence: { sub: sub ?? null, expected },
    fix: 'Run the workload under the expected service account (spec.serviceAccountName), or change the trust policy\'s :sub condition to this subject.',
  });
}

export function checkStsToken(token: TokenFacts, expect: StsExpectations, now: Date): Finding[] {
  const length = expect.tokenLength === undefined ? [] : [checkTokenLength(expect.tokenLength)];
  const form = checkForm(token.form, token.header, true);
  if (form.length) return [...length, ...form];
  return [
    ...length,
    checkAlg(token.header, 'sts'),
    checkKid(token.header, 'sts'),
    checkIssuer(token.claims.iss, expect.issuer),
    checkAudience(token.claims, expect.audience),
    checkSubject(token.claims.sub, expect.subject),
    ...checkTokenTime(token.claims, now, expect.skewSeconds ?? STS_SKEW_SECONDS, { requireExpiry: true }),
  ];
}
