/**
 * Ranks findings into one root cause with one documented precedence.
 *
 * PRECEDENCE says which cause explains which effect: when both fail, the effect is listed as
 * "also" and never named the root (a stale ALB issuer explains the kid its old JWKS lacks; a
 * `*` inside StringEquals explains the sub mismatch). Among the failures nothing else explains,
 * CAUSAL_ORDER decides: the earlier in the chain a verifier walks, the more fundamental.
 * The README's precedence table is generated from PRECEDENCE (`npm run docs`).
 */
import type { FindingCode } from '../checks/codes.js';
import type { Finding } from '../checks/finding.js';

export interface PrecedencePair {
  cause: FindingCode;
  explains: readonly FindingCode[];
  why: string;
}

const TOKEN_VS_CONFIG: FindingCode[] = ['JWKS_KID_NOT_FOUND', 'SIGNATURE_INVALID', 'TOKEN_ISSUER_MISMATCH', 'TOKEN_AUDIENCE_MISMATCH', 'DISCOVERY_ISSUER_MISMATCH'];
const REJECTION: FindingCode = 'ALB_REQUEST_REJECTED';
const UNREACHABLE: FindingCode[] = ['DISCOVERY_UNREACHABLE', 'JWKS_UNREACHABLE', 'DISCOVERY_INVALID', 'DISCOVERY_JWKS_URI_INVALID', 'JWKS_KID_NOT_FOUND', 'STS_OUTCOME'];

export const PRECEDENCE: readonly PrecedencePair[] = [
  { cause: 'BRIDGE_FUNNEL_NOT_PERMITTED', explains: UNREACHABLE, why: 'Without Funnel the bridge serves nothing publicly: discovery and JWKS are unreachable and STS answers "Couldn\'t retrieve verification key".' },
  { cause: 'BRIDGE_ISSUER_HOST_MISMATCH', explains: UNREACHABLE, why: 'The bridge stops when its certificate does not cover the issuer host: nothing is served at the issuer.' },
  { cause: 'BRIDGE_TAILSCALE_LOGIN', explains: UNREACHABLE, why: 'The bridge never joins the tailnet, so its Funnel listener never opens.' },
  { cause: 'BRIDGE_JWKS_PRIME_FAILED', explains: UNREACHABLE, why: 'The bridge stops at start-up when it cannot read the cluster JWKS.' },
  { cause: 'BRIDGE_CONFIG_INVALID', explains: UNREACHABLE, why: 'The bridge exits at start-up on a bad setting (it does not print which).' },
  { cause: 'CLUSTER_ISSUER_MISMATCH', explains: ['TOKEN_ISSUER_MISMATCH', 'IAM_OIDC_PROVIDER_MISSING', 'DISCOVERY_ISSUER_MISMATCH'], why: 'The API server signs tokens with its own --service-account-issuer: every token carries that iss, not the public URL.' },
  { cause: 'JWKS_PUBLIC_CLUSTER_DRIFT', explains: ['JWKS_KID_NOT_FOUND', 'SIGNATURE_INVALID', 'STS_OUTCOME'], why: 'The cluster signs with a key the public JWKS does not serve: the kid is missing there because the bridge is behind.' },
  { cause: 'SSM_PARAMETER_MISSING', explains: ['ALB_JWT_CONFIG_MISMATCH', 'ALB_LISTENER_NOT_FOUND'], why: 'The API stack reads SSM at synth time: missing parameters leave its ALB config stale or wrong.' },
  // No row for ALB_LISTENER_NOT_FOUND: without a listener its rules and config are never read (not
  // "missing"), so nothing it explains can fail beside it; CAUSAL_ORDER puts it before the rules.
  { cause: 'ALB_RULE_MISSING', explains: ['ALB_JWT_CONFIG_MISMATCH', REJECTION, 'ALB_RULE_MISORDERED'], why: 'A deleted rule takes its jwt-validation config with it; requests fall through to the default 403.' },
  { cause: 'ALB_RULE_MISORDERED', explains: [REJECTION], why: 'A rule at the wrong priority changes which rule answers.' },
  { cause: 'ALB_DEFAULT_ACTION_CHANGED', explains: [REJECTION], why: 'The default action decides what unmatched requests get.' },
  { cause: 'ALB_JWT_CONFIG_MISMATCH', explains: [...TOKEN_VS_CONFIG, REJECTION], why: 'The ALB holds stale values (the CDK caches SSM): a correct token fails against them.' },
  { cause: 'TRUST_WILDCARD_IN_STRINGEQUALS', explains: ['TRUST_CONDITION_SUB_MISMATCH', 'TRUST_CONDITION_AUD_MISMATCH', 'TRUST_CONDITION_MISMATCH', 'STS_OUTCOME'], why: 'A * inside StringEquals is literal: the condition can never match, whatever the token says.' },
  { cause: 'GITHUB_SUB_FORM_MISMATCH', explains: ['TRUST_CONDITION_SUB_MISMATCH', 'STS_OUTCOME'], why: 'The policy names another sub form than the job produces (environment, pull_request, ref, the immutable form): said in GitHub\'s terms.' },
  { cause: 'TRUST_CONDITION_KEY_UNSUPPORTED', explains: ['TRUST_CONDITION_MISMATCH', 'STS_OUTCOME'], why: 'A condition on a claim IAM does not evaluate for this issuer can never match.' },
  { cause: 'GITHUB_AUDIENCE_NOT_STS', explains: ['TOKEN_AUDIENCE_MISMATCH', 'IAM_PROVIDER_AUDIENCE_MISSING', 'TRUST_CONDITION_AUD_MISMATCH', 'STS_OUTCOME'], why: 'The job asked for GitHub\'s default audience (the owner URL), not sts.amazonaws.com.' },
  { cause: 'IAM_OIDC_PROVIDER_MISSING', explains: ['TRUST_PRINCIPAL_MISMATCH', 'IAM_PROVIDER_AUDIENCE_MISSING', 'STS_OUTCOME'], why: 'STS stops at the provider lookup: nothing after it is reached.' },
  { cause: 'TOKEN_EXPIRED', explains: ['API_KEY_SHADOWED_BY_BEARER', REJECTION, 'STS_OUTCOME'], why: 'An expired Bearer JWT gets 401 at rule 5 even when the API key it shadows is valid.' },
  { cause: 'TOKEN_WRONG_TYPE', explains: ['TOKEN_AUDIENCE_MISMATCH', 'TOKEN_CLAIM_MISSING', REJECTION], why: 'An access token has no aud: the audience check fails because of the token type.' },
  { cause: 'API_KEY_BAD_PREFIX', explains: [REJECTION], why: 'A key without oc_ matches no rule: the default action answers 403.' },
  { cause: 'EKS_IRSA_POD_NOT_MUTATED', explains: ['EKS_CREDENTIAL_MECHANISM'], why: 'The webhook mutates pods only at creation: a pod older than its annotation has no web-identity token, so no mechanism applies.' },
  { cause: 'EKS_CREDENTIALS_SHADOWED', explains: ['EKS_CREDENTIAL_MECHANISM'], why: 'Static credentials in the pod env come first in the SDK\'s chain: the configured mechanism is never used.' },
  { cause: 'EKS_CLUSTER_ISSUER_NO_PROVIDER', explains: ['IAM_OIDC_PROVIDER_MISSING', 'STS_OUTCOME'], why: 'A recreated cluster has a new OIDC issuer: the IAM provider for the old one does not match its tokens.' },
];

/** The order a verifier walks: earlier failures are more fundamental. Unlisted codes come after these, before the outcomes (OUTCOMES). */
export const CAUSAL_ORDER: readonly FindingCode[] = [
  'TOKEN_LENGTH_INVALID',
  'TOKEN_MALFORMED',
  'TOKEN_ENCRYPTED',
  'TOKEN_UNSECURED',
  'BRIDGE_CONFIG_INVALID',
  'BRIDGE_TAILSCALE_LOGIN',
  'BRIDGE_FUNNEL_NOT_PERMITTED',
  'BRIDGE_ISSUER_HOST_MISMATCH',
  'BRIDGE_JWKS_PRIME_FAILED',
  // EKS: how the pod gets credentials at all comes before anything about one token.
  'EKS_CREDENTIALS_SHADOWED',
  'EKS_IRSA_ANNOTATION_INVALID',
  'EKS_IRSA_POD_NOT_MUTATED',
  'EKS_WEBHOOK_FAILURE_IGNORED',
  'EKS_POD_IDENTITY_UNSUPPORTED',
  'EKS_POD_IDENTITY_ASSOCIATION_MISSING',
  'EKS_POD_IDENTITY_AGENT',
  'EKS_POD_IDENTITY_TRUST',
  'EKS_CLUSTER_ISSUER_NO_PROVIDER',
  'EKS_TOKEN_UNREADABLE',
  'EKS_TOKEN_STALE',
  'EKS_CREDENTIAL_MECHANISM',
  'CLUSTER_ISSUER_MISMATCH',
  'SSM_PARAMETER_MISSING',
  'ALB_LISTENER_NOT_FOUND',
  'ALB_RULE_MISSING',
  'ALB_RULE_MISORDERED',
  'ALB_DEFAULT_ACTION_CHANGED',
  'ALB_JWT_CONFIG_MISMATCH',
  'ALB_JWT_CLAIM_LIMIT',
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
  'TRUST_EXPLICIT_DENY',
  'TRUST_PRINCIPAL_MISMATCH',
  'TRUST_ACTION_MISSING',
  'TRUST_WILDCARD_IN_STRINGEQUALS',
  'TRUST_CONDITION_KEY_UNSUPPORTED',
  'GITHUB_SUB_FORM_MISMATCH',
  'TRUST_CONDITION_SUB_MISMATCH',
  'TRUST_CONDITION_AUD_MISMATCH',
  'TRUST_CONDITION_MISMATCH',
  'TRUST_TAG_SESSION_MISSING',
  'API_KEY_BAD_PREFIX',
  'API_KEY_MALFORMED',
  'API_KEY_UNKNOWN',
  'API_KEY_REVOKED',
  'API_KEY_EXPIRED',
  'ALB_REQUEST_REJECTED',
  'STS_OUTCOME',
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

/** Codes explained by another failing code present in `fails`. */
export function explainedBy(fails: readonly Finding[]): Map<FindingCode, FindingCode> {
  const present = new Set(fails.map((f) => f.code));
  const out = new Map<FindingCode, FindingCode>();
  for (const p of PRECEDENCE) {
    if (!present.has(p.cause)) continue;
    for (const e of p.explains) if (e !== p.cause && present.has(e) && !out.has(e)) out.set(e, p.cause);
  }
  return out;
}

/**
 * The verifier's predicted answer (the rejection itself): always an effect of something else that
 * failed, so it ranks after every other failure — also after codes CAUSAL_ORDER does not list (a
 * JWKS publishing its private key is the cause of the 401 the request simulation predicts, never
 * the other way round) — and carries the cause's fix, not its own.
 */
export const OUTCOMES: readonly FindingCode[] = [REJECTION, 'STS_OUTCOME'];

export function rank(findings: readonly Finding[]): Ranked {
  const fails = findings.filter((f) => f.status === 'fail');
  const order = (f: Finding) => {
    const outcome = OUTCOMES.indexOf(f.code);
    if (outcome !== -1) return CAUSAL_ORDER.length + 1 + outcome;
    const i = CAUSAL_ORDER.indexOf(f.code);
    return i === -1 ? CAUSAL_ORDER.length : i;
  };
  const explained = explainedBy(fails);
  const unexplained = fails.filter((f) => !explained.has(f.code));
  // Every failure explained by another (a cycle in the table) → fall back to the order alone.
  const candidates = unexplained.length ? unexplained : fails;
  const byOrder = (xs: Finding[]) => xs.map((f, i) => [f, i] as const).sort((a, b) => order(a[0]) - order(b[0]) || a[1] - b[1]).map(([f]) => f);
  const root = byOrder(candidates)[0];
  // Same code twice (two rules, two sections): listed once.
  const seen = new Set<string>();
  const also = byOrder(fails.filter((f) => f !== root)).filter((f) => {
    const key = `${f.code}|${f.title}`;
    if (seen.has(key) || (root && f.code === root.code && f.title === root.title)) return false;
    seen.add(key);
    return true;
  });
  const likely = root ? undefined : findings.find((f) => f.status === 'error' && LIKELY_CAUSE_ERRORS.includes(f.code));
  const dedupe = (xs: Finding[]) => xs.filter((f, i) => xs.findIndex((g) => g.code === f.code && g.title === f.title) === i);
  return {
    ...(root ? { root } : likely ? { root: likely, likely: true } : {}),
    also,
    warnings: dedupe(findings.filter((f) => f.status === 'warn')),
    errors: dedupe(findings.filter((f) => f.status === 'error')),
  };
}
