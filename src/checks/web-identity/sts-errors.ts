/**
 * An STS error, pasted in any form — CLI (`An error occurred (Code) when calling the
 * AssumeRoleWithWebIdentity operation: …`), SDK (`InvalidIdentityTokenException: …`), XML
 * (`<Code>…</Code><Message>…</Message>`), a JSON log line, or the bare message — classified:
 * which case it is, what it means, which tools confirm it, and the fix. A JWT inside the text
 * is cut out before anything is quoted.
 */
import { fail, warn, type Finding } from '../finding.js';

export type ErrorForm = 'cli' | 'sdk' | 'xml' | 'json' | 'plain';

export interface ParsedStsError {
  form: ErrorForm;
  /** The STS error code, normalized (`InvalidIdentityToken`, `ExpiredTokenException`, `AccessDenied`…). */
  code?: string;
  /** The message, JWTs removed, at most 500 characters. */
  message: string;
}

const JWT = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*){0,3}/g;
const scrub = (s: string) => s.replace(JWT, '[token removed]').replace(/\s+$/, '').slice(0, 500);

const CODE_ALIASES: Record<string, string> = {
  invalididentitytoken: 'InvalidIdentityToken',
  invalididentitytokenexception: 'InvalidIdentityToken',
  expiredtoken: 'ExpiredTokenException',
  expiredtokenexception: 'ExpiredTokenException',
  accessdenied: 'AccessDenied',
  accessdeniedexception: 'AccessDenied',
  idpcommunicationerror: 'IDPCommunicationError',
  idpcommunicationerrorexception: 'IDPCommunicationError',
  idprejectedclaim: 'IDPRejectedClaim',
  idprejectedclaimexception: 'IDPRejectedClaim',
  validationerror: 'ValidationError',
  regiondisabledexception: 'RegionDisabledException',
};
const normalizeCode = (c: string) => CODE_ALIASES[c.toLowerCase()] ?? c;

function fromJson(text: string): ParsedStsError | undefined {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof obj !== 'object' || obj === null) return undefined;
  const o = obj as Record<string, unknown>;
  const pick = (...keys: string[]) => keys.map((k) => o[k]).find((v): v is string => typeof v === 'string');
  const code = pick('Code', 'code', 'errorCode', 'error_code', 'name', '__type');
  const message = pick('Message', 'message', 'errorMessage', 'error', 'err', 'msg') ?? '';
  const inner = parseStsError(message);
  const out: ParsedStsError = { form: 'json', message: inner.message };
  const c = inner.code ?? (code && /^[A-Za-z]+$/.test(code) ? normalizeCode(code) : undefined);
  if (c) out.code = c;
  return out;
}

export function parseStsError(input: string): ParsedStsError {
  const text = input.trim();
  if (text.startsWith('{')) {
    const j = fromJson(text);
    if (j) return j;
  }
  const cli = /An error occurred \(([A-Za-z]+)\) when calling the \w+ operation(?: \(reached max retries: \d+\))?:\s*([\s\S]*)/.exec(text);
  if (cli) return { form: 'cli', code: normalizeCode(cli[1]!), message: scrub(cli[2]!) };
  const xmlCode = /<Code>\s*([^<\s]+)\s*<\/Code>/.exec(text);
  if (xmlCode) {
    const msg = /<Message>([\s\S]*?)<\/Message>/.exec(text)?.[1] ?? '';
    return { form: 'xml', code: normalizeCode(xmlCode[1]!), message: scrub(msg.replace(/&apos;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&')) };
  }
  const sdk = /(?:^|[\s.])((?:InvalidIdentityToken|ExpiredToken|AccessDenied|IDPCommunicationError|IDPRejectedClaim|RegionDisabled|Validation)(?:Exception|Error)?):\s*([\s\S]*)/.exec(text);
  if (sdk) return { form: 'sdk', code: normalizeCode(sdk[1]!), message: scrub(sdk[2]!) };
  return { form: 'plain', message: scrub(text) };
}

export interface StsCase {
  id: string;
  code: string;
  meaning: string;
  confirm_with: string[];
  fix: string;
  /** Where the bridge guide says otherwise, the correction. */
  guide_correction?: string;
}

interface Entry extends StsCase {
  test(p: ParsedStsError): boolean;
}

const msg = (re: RegExp) => (p: ParsedStsError) => re.test(p.message);

const CATALOGUE: Entry[] = [
  // ── The workflow side (GitHub Actions): no token was ever sent to STS ──────
  {
    id: 'github_fork_no_token', code: 'GitHubActionsNoIdToken', test: (p) => /ACTIONS_ID_TOKEN_REQUEST_(URL|TOKEN)|id-token|Could not load credentials from any providers|Credentials could not be loaded/i.test(p.message) && /\bfork/i.test(p.message),
    meaning: 'The workflow ran for a pull request from a fork. GitHub does not give fork pull requests an OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL is not set, whatever the permissions block says), so configure-aws-credentials has nothing to send to STS.',
    confirm_with: [],
    fix: 'Run the AWS steps only for pushes or same-repository pull requests (if: github.event.pull_request.head.repo.full_name == github.repository), or move them to a workflow triggered after review (e.g. workflow_run / a deployment environment with required reviewers). Do not hand fork code a role.',
  },
  {
    id: 'github_id_token_permission', code: 'GitHubActionsNoIdToken', test: (p) => /ACTIONS_ID_TOKEN_REQUEST_(URL|TOKEN)|Could not load credentials from any providers|Credentials could not be loaded, please check your action inputs/i.test(p.message),
    meaning: 'The job could not request a GitHub OIDC token, so STS was never called: the runner sets ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN only when the job (or workflow) has `permissions: id-token: write`. configure-aws-credentials then finds no credentials ("Could not load credentials from any providers"). Pull requests from forks never get a token.',
    confirm_with: [],
    fix: 'Add to the job (or workflow): permissions: { id-token: write, contents: read } — a permissions block replaces the defaults, so list contents: read too. Then pass role-to-assume (and aws-region) to aws-actions/configure-aws-credentials.',
  },
  {
    id: 'token_length', code: 'ValidationError', test: (p) => /Member must have length/i.test(p.message) && (/webIdentityToken/i.test(p.message) || p.code === 'ValidationError'),
    meaning: 'The WebIdentityToken parameter is shorter than 4 or longer than 20,000 characters (STS API reference: length constraints). STS rejects the request before looking at the token, the provider or the role.',
    confirm_with: ['check_web_identity_token'],
    fix: 'Pass the token itself (not a path or an empty variable); if it is over 20,000 characters, mint a smaller token (fewer groups or custom claims).',
  },
  {
    id: 'tag_session_denied', code: 'AccessDenied', test: msg(/sts:TagSession/i),
    meaning: 'The token carries session tags (the https://aws.amazon.com/tags claim) and the role\'s trust policy does not allow sts:TagSession for this provider.',
    confirm_with: ['check_role_trust'],
    fix: 'Add "sts:TagSession" to the Action list of the trust statement that allows sts:AssumeRoleWithWebIdentity for this provider.',
  },
  {
    id: 'provider_not_found', code: 'InvalidIdentityToken', test: msg(/No OpenIDConnect provider found/i),
    meaning: 'STS found no IAM OIDC provider whose URL equals the token\'s iss (without https://). Either the provider is missing in this account, or iss differs from its URL (trailing slash, scheme, host, path).',
    confirm_with: ['check_iam_oidc_provider', 'check_web_identity_token'],
    fix: 'Compare iss with the provider URLs (check_iam_oidc_provider lists near misses); create the provider for the exact iss (aws iam create-open-id-connect-provider --url <iss> --client-id-list sts.amazonaws.com) or fix --service-account-issuer.',
  },
  {
    id: 'incorrect_audience', code: 'InvalidIdentityToken', test: msg(/Incorrect token audience/i),
    meaning: 'None of the token\'s audiences is in the IAM provider\'s client id list.',
    confirm_with: ['check_web_identity_token', 'check_iam_oidc_provider'],
    fix: 'Mint the token for sts.amazonaws.com (projected token audience; the API server\'s --api-audiences must include it), or add the token\'s aud to the provider: aws iam add-client-id-to-open-id-connect-provider.',
  },
  {
    id: 'missing_aud', code: 'InvalidIdentityToken', test: msg(/Missing a required claim:\s*aud/i),
    meaning: 'The token has no aud claim at all.',
    confirm_with: ['check_web_identity_token'],
    fix: 'Request the token with an audience (serviceAccountToken projection: audience: sts.amazonaws.com).',
  },
  {
    id: 'verification_key', code: 'InvalidIdentityToken', test: msg(/Couldn.t retrieve verification key/i),
    meaning: 'STS could not fetch the issuer\'s discovery document or JWKS from the public internet within about 5 s, or the JWKS does not serve the token\'s kid. This is about REACHABILITY, not claims: the bridge is down or its JWKS not ready (503), Tailscale Funnel has not propagated yet, a firewall blocks AWS, the endpoint is slow, or the cluster signs with a key the public JWKS does not serve.',
    confirm_with: ['check_public_reachability', 'compare_jwks', 'check_bridge_logs', 'predict_sts_outcome'],
    fix: 'From a machine outside the tailnet: curl -sS https://<issuer>/.well-known/openid-configuration and the jwks_uri; both must answer 200 in well under 5 s with a publicly trusted certificate, and the JWKS must hold the token\'s kid. Then check the bridge pod and its logs (Funnel permission, jwks_prime_failure).',
    guide_correction: 'The bridge guide files this under "issuer, audience, or JWKS mismatch"; this message is about fetching the keys (reachability / kid served), not about iss or aud.',
  },
  {
    id: 'thumbprint', code: 'InvalidIdentityToken', test: msg(/doesn.t match configured thumbprint/i),
    meaning: 'The IdP\'s TLS certificate chain does not match the thumbprints on the IAM provider. AWS checks thumbprints only when the certificate does not chain to a CA it trusts.',
    confirm_with: ['check_iam_oidc_provider', 'check_public_reachability'],
    fix: 'Serve a certificate from a public CA (then thumbprints are not used), or update them: aws iam update-open-id-connect-provider-thumbprint --open-id-connect-provider-arn <arn> --thumbprint-list <sha1 of the top intermediate CA>.',
  },
  {
    id: 'expired', code: 'ExpiredTokenException', test: (p) => p.code === 'ExpiredTokenException' || /Token expired|Token too old/i.test(p.message),
    meaning: 'The token\'s exp is before STS\'s current time by more than the 5-minute clock-skew window IAM documents (both times are in the message, in epoch seconds; older SDKs print the second one without a space). "Token too old" is the same rejection. Projected service-account tokens are refreshed by the kubelet; a client that read the file once keeps sending a stale token.',
    confirm_with: ['check_web_identity_token'],
    fix: 'Re-read the token file before each call (AWS SDKs do with AWS_WEB_IDENTITY_TOKEN_FILE); check the clocks (date -u) if the token should still be valid.',
  },
  {
    id: 'trust_denied', code: 'AccessDenied', test: (p) => p.code === 'AccessDenied' || /Not authorized to perform sts:AssumeRoleWithWebIdentity/i.test(p.message),
    meaning: 'The role\'s TRUST policy did not allow this token: Principal.Federated is not this provider, the action is missing, or a :sub / :aud condition does not match (or a Deny matched). The role\'s permissions policy plays no part here.',
    confirm_with: ['check_role_trust', 'predict_sts_outcome'],
    fix: 'Run check_role_trust with the role and the token: it evaluates each statement and shows which condition failed with the values compared; then aws iam update-assume-role-policy.',
    guide_correction: 'The bridge guide says "the role trust passed, but the role policy denied the API". Wrong: this error comes from AssumeRoleWithWebIdentity itself, i.e. the trust policy. A permissions-policy denial appears later, on the API call made with the role\'s credentials (e.g. s3:GetObject AccessDenied).',
  },
  {
    id: 'idp_communication', code: 'IDPCommunicationError', test: (p) => p.code === 'IDPCommunicationError',
    meaning: 'STS could not reach the identity provider; often transient.',
    confirm_with: ['check_public_reachability', 'check_bridge_logs'],
    fix: 'Retry a few times with backoff; if it persists, check public reachability of discovery and JWKS (< 5 s).',
  },
  {
    id: 'idp_rejected_claim', code: 'IDPRejectedClaim', test: (p) => p.code === 'IDPRejectedClaim',
    meaning: 'The identity provider reported that authentication failed (more common with SAML).',
    confirm_with: ['check_web_identity_token'],
    fix: 'Get a fresh token from the identity provider.',
  },
  {
    id: 'duration_too_long', code: 'ValidationError', test: msg(/DurationSeconds exceeds the MaxSessionDuration/i),
    meaning: 'The requested session duration is longer than the role\'s MaxSessionDuration. The token and trust are not the problem.',
    confirm_with: ['check_role_trust'],
    fix: 'Request a shorter duration (AWS_ROLE_SESSION_DURATION / DurationSeconds), or raise it: aws iam update-role --role-name <role> --max-session-duration <seconds>.',
  },
  {
    id: 'region_disabled', code: 'RegionDisabledException', test: (p) => p.code === 'RegionDisabledException',
    meaning: 'STS is not activated in this region for the account.',
    confirm_with: [],
    fix: 'Use another region\'s STS endpoint (AWS_REGION) or activate the region in IAM account settings.',
  },
  {
    id: 'invalid_token_other', code: 'InvalidIdentityToken', test: (p) => p.code === 'InvalidIdentityToken',
    meaning: 'STS rejected the token for a reason this catalogue does not know by text (signature, format, algorithm, kid…).',
    confirm_with: ['check_web_identity_token', 'compare_jwks', 'predict_sts_outcome'],
    fix: 'Run check_web_identity_token and predict_sts_outcome with the same token to find the failing requirement.',
  },
];

export interface Explanation {
  parsed: ParsedStsError;
  known?: StsCase;
  /** For ExpiredTokenException: STS's clock and the token's exp, in epoch seconds. */
  times?: { sts_now: number; exp: number };
}

export function explainStsError(text: string): Explanation {
  const parsed = parseStsError(text);
  const hit = CATALOGUE.find((e) => e.test(parsed));
  const out: Explanation = { parsed };
  if (hit) {
    const { test: _t, ...known } = hit;
    out.known = known;
    if (!parsed.code) parsed.code = hit.code;
  }
  const t = /current date\/time\s*(\d+)\s*must be before the expiration date\/time\s*(\d+)/i.exec(parsed.message);
  if (t) out.times = { sts_now: Number(t[1]), exp: Number(t[2]) };
  return out;
}

export function explanationFinding(e: Explanation): Finding {
  const quoted = `${e.parsed.code ? `${e.parsed.code}: ` : ''}${e.parsed.message}`;
  if (!e.known) {
    return warn('STS_ERROR_EXPLAINED', {
      title: 'This text is not an STS AssumeRoleWithWebIdentity error this tool knows',
      detail: `Read as ${e.parsed.form} form: "${quoted.slice(0, 200)}".`,
      evidence: { form: e.parsed.form, error_code: e.parsed.code ?? null },
      fix: 'Paste the whole error line (e.g. "An error occurred (InvalidIdentityToken) when calling the AssumeRoleWithWebIdentity operation: …"), or run predict_sts_outcome with the token.',
    });
  }
  const k = e.known;
  const times = e.times ? ` STS's clock ${new Date(e.times.sts_now * 1000).toISOString()}, token exp ${new Date(e.times.exp * 1000).toISOString()} (${e.times.sts_now - e.times.exp} s late).` : '';
  return fail('STS_ERROR_EXPLAINED', {
    title: `${k.code}: ${k.id.replace(/_/g, ' ')}`,
    detail: `${k.meaning}${times}${k.guide_correction ? ` Note: ${k.guide_correction}` : ''} Confirm with: ${k.confirm_with.join(', ') || '—'}.`,
    evidence: { case: k.id, error_code: k.code, form: e.parsed.form, message: e.parsed.message, ...(e.times ?? {}) },
    fix: k.fix,
  });
}
