/**
 * The closed set of finding codes. Every code has one line of documentation here;
 * the README's code table is generated from this record (`npm run docs`) and a test
 * proves that every code is documented, produced by a test, and listed in the README.
 *
 * Codes are stable: rename one only with a changelog entry. Prefix by area.
 */
export const FINDING_DOCS = {
  // ── token (shape, time, claims, kind) ───────────────────────────────────────
  TOKEN_MALFORMED: 'The value is not a compact JWS/JWE (wrong number of parts, bad base64url, header or payload not JSON).',
  TOKEN_UNSECURED: 'The token is an unsecured JWT (`alg: none`); no verifier accepts it.',
  TOKEN_ENCRYPTED: 'The token is a JWE; its claims cannot be read without the recipient key.',
  TOKEN_EXPIRED: '`exp` is in the past, beyond the clock-skew allowance.',
  TOKEN_NOT_YET_VALID: '`nbf` is in the future, beyond the clock-skew allowance.',
  TOKEN_ISSUED_IN_FUTURE: '`iat` is in the future, beyond the clock-skew allowance (a clock is wrong).',
  TOKEN_NO_EXPIRY: 'The token has no `exp`; AWS ALB and STS both require one.',
  TOKEN_ISSUER_MISMATCH: '`iss` differs from the expected issuer (the detail says how: slash, scheme, case, host…).',
  TOKEN_AUDIENCE_MISMATCH: '`aud` does not contain the expected audience (or is an array where a single string is required).',
  TOKEN_SUBJECT_MISMATCH: '`sub` differs from the expected subject (e.g. the Kubernetes service account).',
  TOKEN_CLAIM_MISMATCH: 'A named claim differs from its expected value.',
  TOKEN_CLAIM_MISSING: 'A required or expected claim is absent from the token.',
  TOKEN_WRONG_TYPE: 'An access token where an ID token is expected, or the reverse (e.g. Cognito `token_use`).',
  TOKEN_ALG_UNSUPPORTED: 'The signing algorithm is not one the consumer accepts (ALB and STS: RS256 only).',
  TOKEN_KID_MISSING: 'The protected header has no `kid`, so the verifier cannot pick a key.',
  // ── OIDC discovery ─────────────────────────────────────────────────────────
  DISCOVERY_UNREACHABLE: 'The discovery document could not be fetched (DNS, refused, TLS, timeout, HTTP status…).',
  DISCOVERY_INVALID: 'The discovery document is not a JSON object with the required members.',
  DISCOVERY_ISSUER_MISMATCH: 'The discovery document\'s `issuer` is not exactly the token\'s `iss`.',
  DISCOVERY_JWKS_URI_INVALID: '`jwks_uri` is missing, not https, or not a valid URL.',
  DISCOVERY_SLOW: 'The endpoint answered, but close to or over the ~5 s a consumer such as STS waits.',
  DISCOVERY_REDIRECTED: 'The document was served through a redirect to another host; a consumer may not follow it.',
  // ── JWKS ───────────────────────────────────────────────────────────────────
  JWKS_UNREACHABLE: 'The JWKS could not be fetched (DNS, refused, TLS, timeout, HTTP status…).',
  JWKS_INVALID: 'The JWKS is not `{ "keys": [...] }` with usable public keys.',
  JWKS_KID_NOT_FOUND: 'No key in the JWKS has the token\'s `kid`.',
  JWKS_PRIVATE_KEY_EXPOSED: 'A key in the JWKS carries private members (`d`, `p`, `q`, `k`…). Rotate it now.',
  JWKS_CONSUMER_LIMIT: 'The JWKS or token breaks a limit of the named consumer (ALB: RS256, ≤ 10 keys, ≤ 150 KB).',
  JWKS_SETS_DIFFER: 'Two key sets do not hold the same key ids.',
  JWKS_PUBLIC_CLUSTER_DRIFT: 'The cluster signs with a key the public (bridge) JWKS does not serve; AWS rejects such tokens.',
  SIGNATURE_INVALID: 'The signature does not verify with the key the `kid` names.',
  // ── AWS access ─────────────────────────────────────────────────────────────
  AWS_CREDENTIALS_MISSING: 'No AWS credentials were found in the default chain (or the named profile).',
  AWS_SSO_EXPIRED: 'The AWS SSO session (or other temporary credentials) has expired.',
  AWS_REGION_MISSING: 'No AWS region is set.',
  AWS_THROTTLED: 'AWS throttled a call; the result is incomplete. Retry shortly.',
  AWS_CALL_FAILED: 'An AWS call failed for another reason (the detail carries the AWS error name).',
  CHECK_PERMISSION_DENIED: 'AWS denied a read-only call; the finding names the IAM action to allow.',
  // ── OpenCode stack: SSM, ALB, API keys, logs ───────────────────────────────
  SSM_PARAMETER_MISSING: 'An SSM parameter the stack writes is absent; the finding names the stack to redeploy.',
  ALB_LISTENER_NOT_FOUND: 'The listener ARN (given or from SSM) does not exist.',
  ALB_RULE_MISSING: 'A rule of the expected chain is absent from the listener.',
  ALB_RULE_MISORDERED: 'An expected rule exists at another priority than the chain requires.',
  ALB_RULE_UNEXPECTED: 'The listener has a rule the stack does not create.',
  ALB_DEFAULT_ACTION_CHANGED: 'The default action is not the stack\'s fixed-response 403.',
  ALB_JWT_CONFIG_MISMATCH: 'The ALB\'s jwt-validation config (issuer, JWKS endpoint, aud) differs from SSM or the token.',
  ALB_REQUEST_REJECTED: 'The simulated request is rejected by the ALB (the detail names the rule and status).',
  API_KEY_BAD_PREFIX: 'The API key does not start with `oc_`; the request falls through to the 403 default action.',
  API_KEY_MALFORMED: 'The API key is not `oc_` + 43 base64url characters.',
  API_KEY_UNKNOWN: 'No DynamoDB item has this key\'s hash: the router answers 401 `invalid_api_key`.',
  API_KEY_REVOKED: 'The key is revoked: 401 `revoked_api_key` (a task may serve it from cache for ≤ 5 min).',
  API_KEY_EXPIRED: 'The key\'s `expires_at` is past: 401 `expired_api_key`.',
  API_KEY_SHADOWED_BY_BEARER: 'The request also sends `Authorization: Bearer`, so the JWT rule wins and the key is ignored.',
  LOGS_GROUP_NOT_FOUND: 'The router\'s log group (from the ECS task definition) could not be found.',
  LOGS_ERRORS_FOUND: 'The router logged failures (4xx/5xx, DynamoDB lookup failed…) in the window.',
  ALB_ACCESS_LOGS_DISABLED: 'ALB access logging is off, or the bucket holds no logs for the window.',
  ALB_ACCESS_LOGS_REJECTIONS: 'The ALB access logs show 401/403 responses in the window.',
  // ── web identity: IAM provider, trust policy, STS ──────────────────────────
  IAM_OIDC_PROVIDER_MISSING: 'No IAM OIDC provider URL equals the token\'s `iss` (near misses are listed).',
  IAM_PROVIDER_AUDIENCE_MISSING: 'The provider\'s client id list lacks the token\'s audience.',
  TRUST_PRINCIPAL_MISMATCH: 'No trust statement names the provider ARN as `Principal.Federated`.',
  TRUST_ACTION_MISSING: 'No trust statement allows `sts:AssumeRoleWithWebIdentity`.',
  TRUST_CONDITION_SUB_MISMATCH: 'The trust policy\'s `:sub` condition does not match the token\'s `sub`.',
  TRUST_CONDITION_AUD_MISMATCH: 'The trust policy\'s `:aud` condition does not match the token\'s `aud`.',
  TRUST_CONDITION_MISMATCH: 'Another trust-policy condition (not `:sub`/`:aud`) fails, or uses an operator that cannot be evaluated here.',
  TRUST_WILDCARD_IN_STRINGEQUALS: 'A `*` inside `StringEquals` is literal and never matches; use `StringLike`.',
  TRUST_EXPLICIT_DENY: 'A `Deny` statement in the trust policy matches this token.',
  STS_ERROR_EXPLAINED: 'An STS error message, classified: what it means, what confirms it, the fix.',
  STS_OUTCOME: 'The response STS would give for the gathered facts (success or the exact error).',
  STS_PROBE: 'The result of the opt-in live AssumeRoleWithWebIdentity probe (credentials discarded).',
  // ── Kubernetes cluster and the OIDC bridge ─────────────────────────────────
  CLUSTER_UNREACHABLE: 'kubectl could not reach the cluster (or is not installed); the detail says which.',
  CLUSTER_ISSUER_MISMATCH: 'The API server\'s issuer is not the public issuer URL (`--service-account-issuer`).',
  REACHABILITY_TAILNET_ONLY: 'The issuer host resolves to a Tailscale address; success here does not prove AWS can reach it.',
  BRIDGE_JWKS_PRIME_FAILED: 'The bridge could not fetch the in-cluster JWKS at startup (or keeps failing to refresh).',
  BRIDGE_TAILSCALE_LOGIN: 'The bridge could not log in to Tailscale (NeedsLogin, auth key mint, tsnet start).',
  BRIDGE_FUNNEL_NOT_PERMITTED: 'Repeated public listener failures: Funnel is not permitted for the bridge tag.',
  BRIDGE_ISSUER_HOST_MISMATCH: 'The bridge\'s certificate domains do not include the issuer host.',
  BRIDGE_CONFIG_INVALID: 'The bridge Deployment\'s settings break a rule (ISSUER_URL, TS_HOSTNAME, TS_TAG…).',
  ALB_PATTERN_UNEVALUATED: 'A listener rule\'s regex is invalid, unsupported (back-references, look-around) or over its step budget; the rule is assumed not to match.',
} as const satisfies Record<string, string>;

export type FindingCode = keyof typeof FINDING_DOCS;

export const FINDING_CODES = Object.keys(FINDING_DOCS) as [FindingCode, ...FindingCode[]];
