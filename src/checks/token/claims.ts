/**
 * Token claims against expected values — exact match, and when they differ, how
 * (see ./difference.ts). TOKEN_ISSUER_MISMATCH, TOKEN_AUDIENCE_MISMATCH,
 * TOKEN_SUBJECT_MISMATCH (each also when the claim is absent), TOKEN_CLAIM_MISMATCH
 * and TOKEN_CLAIM_MISSING for any other named claim.
 */
import { fail, pass, type Finding, type Evidence } from '../finding.js';
import { describeDifference, type Difference } from './difference.js';

/** ALB jwt-validation claim formats; `single-string` (the OpenCode aud) needs a JSON string. */
export const AUD_FORMATS = ['single-string', 'string-array', 'space-separated-values'] as const;
export type AudFormat = (typeof AUD_FORMATS)[number];

export interface Expected {
  iss?: string;
  aud?: string;
  sub?: string;
  claims?: Record<string, unknown>;
  audFormat?: AudFormat;
}

/** A difference, or why values of other shapes differ (`missing`, `type`, `array_vs_string`). */
export type ClaimDifference = Difference | { kind: 'missing' | 'type' | 'array_vs_string'; text: string };

/** "scheme, trailing slash": every kind of a difference, for a title. */
function label(d: ClaimDifference): string {
  return ('kinds' in d ? d.kinds : [d.kind]).join(', ').replace(/_/g, ' ');
}

type Claims = Record<string, unknown>;

/** A difference as evidence: "different" alone says all (actual and expected are beside it). */
const asEvidence = (d: ClaimDifference): ClaimDifference | { kind: 'different' } => (d.kind === 'different' ? { kind: 'different' } : d);

export function compareClaims(claims: Claims, expected: Expected): Finding[] {
  const out: Finding[] = [];
  if (expected.iss !== undefined) out.push(compareIssuer(claims.iss, expected.iss));
  if (expected.aud !== undefined) out.push(compareAudience(claims, expected.aud, expected.audFormat));
  if (expected.sub !== undefined) out.push(compareSubject(claims.sub, expected.sub));
  for (const [name, want] of Object.entries(expected.claims ?? {})) out.push(compareClaim(name, claims[name], want));
  return out;
}

function stringDifference(actual: unknown, want: string): ClaimDifference | undefined {
  if (actual === undefined) return { kind: 'missing', text: 'the token has no such claim' };
  if (typeof actual !== 'string') return { kind: 'type', text: `the token has ${typeName(actual)}, expected a string` };
  return describeDifference(actual, want);
}

function compareIssuer(iss: unknown, want: string): Finding {
  const d = stringDifference(iss, want);
  const evidence: Evidence = { claim: 'iss', actual: iss ?? null, expected: want };
  if (!d) return pass('TOKEN_ISSUER_MISMATCH', { title: 'iss matches the expected issuer exactly', evidence });
  return fail('TOKEN_ISSUER_MISMATCH', {
    title: d.kind === 'missing' ? 'The token has no iss claim' : `iss is not exactly the expected issuer (${label(d)})`,
    detail: `iss ${JSON.stringify(iss ?? null)} vs expected ${JSON.stringify(want)}${d.kind !== 'different' ? `: ${d.text}` : ''}. Issuers are compared byte for byte (ALB, STS, every OIDC library).`,
    evidence: { ...evidence, difference: asEvidence(d) },
    fix: d.kind === 'missing'
      ? 'Get a token from the identity provider itself (every OIDC token carries iss).'
      : `Make the two identical: set the verifier's issuer (ALB jwt-validation Issuer, IAM OIDC provider URL) to ${JSON.stringify(iss)}, or change the issuer setting (Kubernetes --service-account-issuer; bridge ISSUER_URL) so new tokens carry ${JSON.stringify(want)}.`,
  });
}

function compareAudience(claims: Claims, want: string, format: AudFormat | undefined): Finding {
  const aud = claims.aud;
  const evidence: Evidence = { claim: 'aud', actual: aud ?? null, expected: want, aud_format: format ?? null };
  const values = Array.isArray(aud) ? aud : format === 'space-separated-values' && typeof aud === 'string' ? aud.split(/\s+/) : [aud];
  const found = values.includes(want);
  if (found && Array.isArray(aud) && format === 'single-string') {
    const d: ClaimDifference = { kind: 'array_vs_string', text: `aud is an array of ${aud.length}, but the single-string format requires one JSON string` };
    return fail('TOKEN_AUDIENCE_MISMATCH', {
      title: 'aud is an array where a single string is required',
      detail: `The expected audience is in the array, but an ALB claim with Format "single-string" only matches a string value.`,
      evidence: { ...evidence, difference: asEvidence(d) },
      fix: 'Set the ALB jwt-validation claim Format to "string-array" for aud, or have the issuer emit aud as one string.',
    });
  }
  if (found) return pass('TOKEN_AUDIENCE_MISMATCH', { title: `aud contains ${JSON.stringify(want)}`, evidence });
  if (aud === undefined) {
    const cognitoAccess = claims.token_use === 'access' || claims.client_id !== undefined;
    return fail('TOKEN_AUDIENCE_MISMATCH', {
      title: 'The token has no aud claim',
      detail: cognitoAccess
        ? 'This looks like a Cognito access token (token_use "access", client_id, no aud): it fails every aud check. The OpenCode ALB needs the ID token.'
        : 'A verifier that checks the audience rejects a token without aud (STS: "Missing a required claim: aud").',
      evidence: { ...evidence, difference: { kind: 'missing', text: 'the token has no aud' } },
      fix: cognitoAccess
        ? 'Send the id_token, not the access token: re-authenticate with `opencode-auth login` and use the id_token.'
        : 'Request the token with the audience set (Kubernetes projected token: `audience: sts.amazonaws.com`; `kubectl create token <sa> --audience sts.amazonaws.com`).',
    });
  }
  const d = closest(values, want);
  return fail('TOKEN_AUDIENCE_MISMATCH', {
    title: `aud does not contain the expected audience${d && d.kind !== 'different' ? ` (${label(d)})` : ''}`,
    // "the values are different" would only repeat the two values just printed.
    detail: `aud ${JSON.stringify(aud)} vs expected ${JSON.stringify(want)}${d && d.kind !== 'different' ? `: ${d.text}` : ''}.`,
    evidence: { ...evidence, difference: d ? asEvidence(d) : { kind: 'type', text: `aud is ${typeName(aud)}` } },
    fix: `Request the token for audience ${JSON.stringify(want)} (Kubernetes: the projected token's audience; Cognito: the ID token of the app client the verifier expects), or change the verifier's expected audience.`,
  });
}

/** The most telling difference between any of the token's audiences and the expected one. */
function closest(values: unknown[], want: string): ClaimDifference | undefined {
  const diffs = values.map((v) => stringDifference(v, want)).filter((d): d is ClaimDifference => d !== undefined);
  return diffs.find((d) => d.kind !== 'different' && d.kind !== 'type') ?? diffs[0];
}

const SA_SUB = /^system:serviceaccount:([^:]+):([^:]+)$/;

function compareSubject(sub: unknown, want: string): Finding {
  let d = stringDifference(sub, want);
  const evidence: Evidence = { claim: 'sub', actual: sub ?? null, expected: want };
  if (!d) return pass('TOKEN_SUBJECT_MISMATCH', { title: 'sub matches the expected subject exactly', evidence });
  const a = typeof sub === 'string' ? SA_SUB.exec(sub) : null;
  const e = SA_SUB.exec(want);
  if (a && e && d.kind !== 'whitespace') {
    const parts = [a[1] !== e[1] ? `namespace "${a[1]}" vs "${e[1]}"` : '', a[2] !== e[2] ? `service account "${a[2]}" vs "${e[2]}"` : ''].filter(Boolean);
    d = { ...d, text: `${parts.join(' and ')} (${d.text})` };
  }
  return fail('TOKEN_SUBJECT_MISMATCH', {
    title: d.kind === 'missing' ? 'The token has no sub claim' : 'sub is not the expected subject',
    detail: `sub ${JSON.stringify(sub ?? null)} vs expected ${JSON.stringify(want)}: ${d.text}.`,
    evidence: { ...evidence, difference: asEvidence(d) },
    fix: 'Use the token of the expected identity (Kubernetes: the pod\'s serviceAccountName in the namespace the trust policy names), or change the expected subject (role trust `:sub` condition).',
  });
}

function compareClaim(name: string, actual: unknown, want: unknown): Finding {
  const evidence: Evidence = { claim: name, actual: actual ?? null, expected: want };
  if (actual === undefined) {
    return fail('TOKEN_CLAIM_MISSING', {
      title: `The token has no ${name} claim`,
      detail: `Expected ${name} = ${JSON.stringify(want)}; the claim is absent.`,
      evidence,
      fix: `Get a token that carries ${name} (check the identity provider's claim mapping or scopes), or drop ${name} from the expected claims.`,
    });
  }
  if (sameJson(actual, want) || (Array.isArray(actual) && !Array.isArray(want) && actual.some((v) => sameJson(v, want)))) {
    return pass('TOKEN_CLAIM_MISMATCH', { title: `${name} matches`, evidence });
  }
  const d: ClaimDifference =
    typeof actual === 'string' && typeof want === 'string'
      ? (describeDifference(actual, want) as Difference)
      : typeName(actual) !== typeName(want)
        ? { kind: 'type', text: `the token has ${typeName(actual)}, expected ${typeName(want)}` }
        : { kind: 'different', kinds: ['different'], text: 'the values are different' };
  return fail('TOKEN_CLAIM_MISMATCH', {
    title: `${name} differs from the expected value${d.kind !== 'different' ? ` (${label(d)})` : ''}`,
    detail: `${name} ${JSON.stringify(actual)} vs expected ${JSON.stringify(want)}: ${d.text}.`,
    evidence: { ...evidence, difference: asEvidence(d) },
    fix: `Get a token whose ${name} is ${JSON.stringify(want)} (identity provider claim mapping), or change the expected value in the verifier's configuration.`,
  });
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
}
