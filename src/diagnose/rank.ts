/**
 * Ranks findings into one root cause. A failure earlier in the order explains the ones after
 * it (an access token sent where an ID token is needed explains the audience mismatch; a key
 * the JWKS does not serve explains the signature failure), so the first failing code in
 * CAUSAL_ORDER is the root cause and the rest are listed as "also".
 */
import type { FindingCode } from '../checks/codes.js';
import type { Finding } from '../checks/finding.js';

export const CAUSAL_ORDER: readonly FindingCode[] = [
  'TOKEN_LENGTH_INVALID',
  'TOKEN_MALFORMED',
  'TOKEN_ENCRYPTED',
  'TOKEN_UNSECURED',
  'TOKEN_WRONG_TYPE',
  'TOKEN_ALG_UNSUPPORTED',
  'IAM_OIDC_PROVIDER_MISSING',
  'DISCOVERY_UNREACHABLE',
  'DISCOVERY_INVALID',
  'DISCOVERY_ISSUER_MISMATCH',
  'DISCOVERY_JWKS_URI_INVALID',
  'JWKS_UNREACHABLE',
  'JWKS_INVALID',
  'JWKS_PUBLIC_CLUSTER_DRIFT',
  'TOKEN_KID_MISSING',
  'JWKS_KID_NOT_FOUND',
  'SIGNATURE_INVALID',
  'JWKS_CONSUMER_LIMIT',
  'ALB_JWT_CONFIG_MISMATCH',
  'TOKEN_ISSUER_MISMATCH',
  'GITHUB_AUDIENCE_NOT_STS',
  'TOKEN_AUDIENCE_MISMATCH',
  'IAM_PROVIDER_AUDIENCE_MISSING',
  'TOKEN_EXPIRED',
  'TOKEN_NOT_YET_VALID',
  'TOKEN_ISSUED_IN_FUTURE',
  'TOKEN_NO_EXPIRY',
  'TOKEN_SUBJECT_MISMATCH',
  'TOKEN_CLAIM_MISSING',
  'TOKEN_CLAIM_MISMATCH',
];

/**
 * A source failure that, for a verifier such as ALB or STS, is itself the rejection: when
 * nothing failed outright, the first of these is the likely root cause.
 */
const LIKELY_CAUSE_ERRORS: readonly FindingCode[] = ['DISCOVERY_UNREACHABLE', 'JWKS_UNREACHABLE'];

export interface Ranked {
  root?: Finding;
  /** The root is a could-not-check error that likely explains the rejection, not a proven failure. */
  likely?: boolean;
  also: Finding[];
  warnings: Finding[];
  errors: Finding[];
}

export function rank(findings: readonly Finding[]): Ranked {
  const fails = findings.filter((f) => f.status === 'fail');
  const order = (f: Finding) => {
    const i = CAUSAL_ORDER.indexOf(f.code);
    return i === -1 ? CAUSAL_ORDER.length : i;
  };
  const sorted = fails.map((f, i) => [f, i] as const).sort((a, b) => order(a[0]) - order(b[0]) || a[1] - b[1]).map(([f]) => f);
  const [root, ...also] = sorted;
  const likely = root ? undefined : findings.find((f) => f.status === 'error' && LIKELY_CAUSE_ERRORS.includes(f.code));
  return {
    ...(root ? { root } : likely ? { root: likely, likely: true } : {}),
    also,
    warnings: findings.filter((f) => f.status === 'warn'),
    errors: findings.filter((f) => f.status === 'error'),
  };
}
