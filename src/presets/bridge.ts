/**
 * The OIDC discovery bridge (meigma/k8s-aws-oidc): its public routes, how to find its pods,
 * its settings (internal/config) and its log events (docs/reference/logging.md), as data.
 * Facts in /work/shared/context.md; the checks in src/checks/bridge/ read these tables.
 */

/** The only two public routes; `jwks_uri` is always `ISSUER_URL + /openid/v1/jwks`. */
export const BRIDGE_ROUTES = {
  discovery: '/.well-known/openid-configuration',
  jwks: '/openid/v1/jwks',
} as const;

/**
 * Default label selector for the bridge's pods and Deployment: the Helm chart's component
 * label, which does not depend on the release name.
 */
export const BRIDGE_SELECTOR = 'app.kubernetes.io/component=oidc-proxy';

export const BRIDGE_REQUIRED = ['ISSUER_URL', 'TS_HOSTNAME', 'TS_STATE_SECRET', 'TS_API_CLIENT_ID', 'TS_API_CLIENT_SECRET', 'TS_TAG'] as const;

export const BRIDGE_OPTIONAL = [
  'HEALTH_ADDR',
  'FUNNEL_ADDR',
  'JWKS_CACHE_TTL',
  'JWKS_CACHE_MAX_AGE_HEADER',
  'DISCOVERY_MAX_AGE_HEADER',
  'STARTUP_FETCH_TIMEOUT',
  'TS_START_TIMEOUT',
  'SHUTDOWN_TIMEOUT',
  'TS_STATUS_POLL_INTERVAL',
  'LOG_FORMAT',
  'LOG_LEVEL',
  'SOURCE_IP_ALLOWLIST_ENABLED',
  'SOURCE_IP_ALLOWLIST_CIDRS',
] as const;

/** Settings the bridge no longer accepts: any non-empty one stops it at startup. */
export const BRIDGE_REMOVED = ['JWKS_UPSTREAM_URL', 'TS_API_BASE_URL', 'JWKS_UPSTREAM_TOKEN_PATH', 'JWKS_UPSTREAM_CA_PATH', 'DEV_LISTEN_ADDR'] as const;

/** Settings whose values are secrets: never read, never shown; they belong in a Secret. */
export function isSecretSetting(name: string): boolean {
  if (name === 'TS_STATE_SECRET') return false; // the *name* of the state Secret
  return /SECRET|PASSWORD|TOKEN|AUTH_?KEY|PRIVATE|CREDENTIAL/i.test(name);
}

/** Prefixes of names that look like bridge settings (an unknown one is probably a typo). */
export const BRIDGE_PREFIXES = /^(TS_|JWKS_|ISSUER|OIDC_|FUNNEL_|HEALTH_|DISCOVERY_|STARTUP_|SHUTDOWN_|SOURCE_IP_|LOG_)/;

/** The tool that reads the bridge's settings, for "what next" fixes. */
export const NEXT_CONFIG_STEP = 'jwt-triage bridge-config --namespace <ns> (the bridge does not print config errors)';

export type BridgeFailureCode = 'BRIDGE_JWKS_PRIME_FAILED' | 'BRIDGE_TAILSCALE_LOGIN' | 'BRIDGE_FUNNEL_NOT_PERMITTED' | 'BRIDGE_ISSUER_HOST_MISMATCH';

export interface BridgeEventRule {
  code: BridgeFailureCode;
  /** Plain words for the title. */
  what: string;
  fix: string;
}

const JWKS_FIX =
  'Check the bridge ServiceAccount can read the in-cluster JWKS: kubectl get --raw /openid/v1/jwks works from the pod (RBAC for /openid/v1/jwks, the projected token); upstream_status with status_code 401/403 means the token or RBAC, body_too_large or jwks_invalid the JWKS itself.';
const LOGIN_FIX =
  'Check TS_API_CLIENT_ID / TS_API_CLIENT_SECRET (an OAuth client with the auth_keys scope) and that TS_TAG is in the tailnet policy\'s tagOwners for that client; delete the TS_STATE_SECRET Secret to force a fresh login.';
const FUNNEL_FIX =
  'Allow Funnel for the bridge tag in the tailnet policy: "nodeAttrs": [{"target": ["tag:<tag>"], "attr": ["funnel"]}], and list the tag in "tagOwners"; then restart the bridge pod.';
const HOST_FIX = 'Make ISSUER_URL\'s host exactly <TS_HOSTNAME>.<tailnet>.ts.net (the certificate domain the bridge gets), then restart the bridge.';

/** Failure events → the finding they raise. `public_listener_failure` counts only when repeated. */
export const BRIDGE_FAILURE_EVENTS: Record<string, BridgeEventRule> = {
  jwks_prime_failure: { code: 'BRIDGE_JWKS_PRIME_FAILED', what: 'fetching the in-cluster JWKS at startup failed', fix: JWKS_FIX },
  jwks_refresh_failure: { code: 'BRIDGE_JWKS_PRIME_FAILED', what: 'refreshing the in-cluster JWKS failed', fix: JWKS_FIX },
  jwks_serving_stale: { code: 'BRIDGE_JWKS_PRIME_FAILED', what: 'the bridge is serving a stale JWKS', fix: JWKS_FIX },
  auth_key_mint_failure: { code: 'BRIDGE_TAILSCALE_LOGIN', what: 'minting a Tailscale auth key failed', fix: LOGIN_FIX },
  tsnet_start_failure: { code: 'BRIDGE_TAILSCALE_LOGIN', what: 'starting the Tailscale node failed', fix: LOGIN_FIX },
  public_listener_failure: { code: 'BRIDGE_FUNNEL_NOT_PERMITTED', what: 'the public (Funnel) listener keeps failing', fix: FUNNEL_FIX },
  issuer_host_mismatch: { code: 'BRIDGE_ISSUER_HOST_MISMATCH', what: 'the certificate domains do not include the issuer host', fix: HOST_FIX },
};

/** `public_listener_failure` at least this many times = the serve loop is failing (backoff 100 ms → 30 s). */
export const FUNNEL_REPEAT_THRESHOLD = 3;

/** Log fields kept after parsing (everything else, including `msg` and `error`, is dropped). */
export const BRIDGE_LOG_FIELDS = {
  /** Identifiers: kept when they match `[A-Za-z][A-Za-z0-9_]{0,47}`. */
  words: ['level', 'component', 'event', 'error_kind', 'state', 'result', 'reason', 'route', 'decision'],
  numbers: ['status_code', 'cert_domain_count', 'kid_count', 'stale_remaining_seconds', 'tag_count', 'status', 'body_size_bytes'],
  /** Host names (validated as such). */
  hosts: ['expected_host', 'issuer_host'],
  hostLists: ['cert_domains'],
} as const;
