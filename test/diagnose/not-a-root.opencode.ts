/**
 * Codes of the opencode and generic presets that diagnose_rejection never names as the root cause,
 * each with why. Read by the world index (test/diagnose/coverage.test.ts); the worlds that show the
 * behaviour are in ./worlds-opencode.test.ts.
 */
export const NOT_A_ROOT: Readonly<Record<string, string>> = {
  // Token
  TOKEN_CLAIM_MISMATCH: 'diagnose_rejection takes no expected claims beyond iss/aud/sub; only compare_claims (and jose error mapping) emits it.',
  TOKEN_CLAIM_MISSING: 'opencode/generic: no expected-claims input, and a missing aud/iss/sub is reported as TOKEN_AUDIENCE/ISSUER/SUBJECT_MISMATCH; only compare_claims (and the web-identity missing-iss check) emits it.',
  // Discovery
  DISCOVERY_REDIRECTED: 'Always a warning (a consumer may not follow an off-host redirect); the fetch itself still succeeded.',
  // ALB rules and the request
  ALB_RULE_UNEXPECTED: 'Always a warning; when an extra rule answers the request, ALB_REQUEST_REJECTED names that rule and its status.',
  ALB_PATTERN_UNEVALUATED: 'Always a warning: a regex it cannot evaluate makes the rule "assumed not to match", a statement about this tool, not the ALB.',
  API_KEY_SHADOWED_BY_BEARER: 'Always a warning; the rejection it hides is the Bearer token\'s own failure (TOKEN_EXPIRED over it is a world).',
  // Logs: evidence, never a gate (src/diagnose/opencode.ts logTasks turns fail into warn, error into skip)
  LOGS_GROUP_NOT_FOUND: 'Router logs are evidence in the diagnosis: a group it cannot find is "not checked" (skip), never a cause.',
  LOGS_ERRORS_FOUND: 'Router logs are evidence in the diagnosis: failures there are a warning, never the root cause.',
  ALB_ACCESS_LOGS_DISABLED: 'Access logs are evidence in the diagnosis: no bucket or logging off is "not checked" (skip), never a cause.',
  ALB_ACCESS_LOGS_REJECTIONS: 'Access logs are evidence in the diagnosis: past 401/403s are a warning; the config, token and key decide.',
  // The distribution ALB (authenticate-oidc) is not part of diagnose_rejection
  ALB_OIDC_CONFIG_MISMATCH: 'Only check_alb_oidc emits it: the diagnosis reads the JWT ALB (jwt-validation), not the distribution ALB.',
  ALB_OIDC_UNAUTHENTICATED_ACTION: 'Only check_alb_oidc emits it (the distribution ALB is not part of diagnose_rejection).',
  ALB_OIDC_CALLBACK: 'Only check_alb_oidc emits it (the distribution ALB is not part of diagnose_rejection).',
  ALB_OIDC_IDP_IPV4: 'Only check_alb_oidc emits it (the distribution ALB is not part of diagnose_rejection).',
  ALB_OIDC_DATA_SIGNATURE: 'Only verify_alb_oidc_data emits it; the diagnosis never sees an x-amzn-oidc-data header.',
  ALB_OIDC_DATA_SIGNER_MISMATCH: 'Only verify_alb_oidc_data emits it; the diagnosis never sees an x-amzn-oidc-data header.',
  // Could not check: reported as `error` (exit 3 when nothing fails), never as the cause of a rejection
  AWS_CREDENTIALS_MISSING: 'A could-not-check error: the diagnosis lists it under errors (verdict error, exit 3 when nothing fails); no credentials here says nothing about the ALB.',
  AWS_REGION_MISSING: 'A could-not-check error (verdict error, exit 3 when nothing fails); a missing region here is not why the ALB rejects.',
  AWS_CALL_FAILED: 'A could-not-check error (verdict error, exit 3 when nothing fails); a failed read is not why the ALB rejects.',
  AWS_SSO_EXPIRED: 'A could-not-check error (verdict error, exit 3 when nothing fails); expired local credentials are not why the ALB rejects.',
  CHECK_PERMISSION_DENIED: 'A could-not-check error (verdict error, exit 3 when nothing fails); only a mocked AWS produces AccessDenied here.',
  AWS_THROTTLED: 'A could-not-check error (verdict error, exit 3 when nothing fails); only a mocked AWS produces throttling here.',
  CHECK_NOT_RUN: 'A skip: a check that did not run (offline, not applicable) claims nothing.',
  DIAGNOSIS_DEADLINE: 'A could-not-check error for a section that did not finish; it says nothing about the rejection.',
};
