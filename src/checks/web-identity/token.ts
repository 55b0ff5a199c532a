/**
 * A token against what STS AssumeRoleWithWebIdentity requires: a signed JWS with a kid and an
 * accepted algorithm, `iss` https (and exactly the expected issuer), `aud` containing the
 * audience (default `sts.amazonaws.com`), `sub` equal to the expected subject, not expired.
 */
import { describeDifference } from '../token/difference.js';
import { checkAlg, checkForm, checkKid } from '../token/header.js';
import type { TokenFacts } from '../token/inspect.js';
import { checkTokenTime } from '../token/time.js';
import { fail, pass, skip, type Finding } from '../finding.js';

export const STS_AUDIENCE = 'sts.amazonaws.com';

export interface StsExpectations {
  issuer?: string | undefined;
  audience: string;
  subject?: string | undefined;
  /** Clock-skew allowance in seconds (STS compares exp with its own clock: default 0). */
  skewSeconds?: number;
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
  const form = checkForm(token.form, token.header, true);
  if (form.length) return form;
  return [
    checkAlg(token.header, 'sts'),
    checkKid(token.header, 'sts'),
    checkIssuer(token.claims.iss, expect.issuer),
    checkAudience(token.claims, expect.audience),
    checkSubject(token.claims.sub, expect.subject),
    ...checkTokenTime(token.claims, now, expect.skewSeconds ?? 0, { requireExpiry: true }),
  ];
}
