/**
 * Turns a failure to gather facts (a source error, given as plain data) into a finding.
 * Checks never import sources: the shape below is all they need.
 */
import type { FindingCode } from './codes.js';
import { error, type Finding } from './finding.js';

/** The plain shape of a source error (sources/errors.ts `SourceError`). */
export interface SourceFailure {
  code: string;
  message: string;
  facts?: Record<string, unknown>;
}

const FETCH_FIX: Record<string, string> = {
  SOURCE_BLOCKED: 'Use an https URL on a public or private host (plain http only to loopback with --allow-http-loopback).',
  SOURCE_DNS: 'The host name does not resolve from this machine. If it is the right name, this machine may lack DNS or internet access to it (this fetch went direct: HTTPS_PROXY is unset or NO_PROXY matches the host — set HTTPS_PROXY if this machine reaches the internet only through a proxy): confirm from a machine that has; AWS needs it to resolve in public DNS.',
  SOURCE_REFUSED: 'Start the service or check the port; for the bridge, check the pod and its Funnel listener.',
  SOURCE_RESET: 'Retry; if it repeats, check the server or proxy in front of it.',
  SOURCE_TIMEOUT: 'The endpoint must answer within 5 s (STS gives up after about 5 s); check the server and the path to it.',
  SOURCE_TLS_UNTRUSTED: 'Serve a certificate from a public CA (AWS trusts public CAs only); for a private CA locally, set NODE_EXTRA_CA_CERTS.',
  SOURCE_TLS_EXPIRED: 'Renew the server certificate.',
  SOURCE_TLS_NAME: 'Serve a certificate whose subjectAltName covers the host name.',
  SOURCE_TLS_OTHER: 'Check the server\'s TLS configuration (protocol versions, chain).',
  SOURCE_HTTP_STATUS: 'Check the URL path and that the service is serving it (a 503 from the bridge means its JWKS is not ready yet).',
  SOURCE_REDIRECT: 'Serve the document at its URL without a redirect chain.',
  SOURCE_NOT_JSON: 'The URL must return a JSON document; check the path (a login page or proxy error page is not JSON).',
  SOURCE_TOO_LARGE: 'The document must stay under the size limit; remove unused keys.',
  SOURCE_NETWORK: 'Check connectivity to the host.',
  SOURCE_PROXY: 'The proxy between this machine and the host failed, so nothing is known yet about the host itself: fix the proxy setting (HTTPS_PROXY, its credentials) or, if this machine reaches the host directly, add the host to NO_PROXY; then retry.',
};

/** A fetch failed: `code` is the finding code for "could not fetch X" (e.g. JWKS_UNREACHABLE). */
export function fetchFailure(code: FindingCode, what: string, e: SourceFailure): Finding {
  return error(code, {
    title: `${what} could not be fetched`,
    detail: e.message,
    evidence: { cause: e.code, ...(e.facts ?? {}) },
    fix: FETCH_FIX[e.code] ?? 'Check the URL and retry.',
  });
}

/** An AWS call failed. One finding per kind; the rest of the checks go on. */
export function awsFailure(e: SourceFailure, opts: { profile?: string | undefined; region?: string | undefined } = {}): Finding {
  const f = e.facts ?? {};
  const kind = String(f.kind ?? 'other');
  const action = String(f.action ?? 'an AWS call');
  const profileFlag = opts.profile ? ` --profile ${opts.profile}` : '';
  const evidence = { action, aws_error: f.aws_error, kind };
  switch (kind) {
    case 'credentials_missing':
      return error('AWS_CREDENTIALS_MISSING', {
        title: 'No AWS credentials',
        detail: e.message,
        evidence,
        fix: opts.profile ? `aws sso login${profileFlag} (or check [profile ${opts.profile}] in ~/.aws/config)` : 'export AWS_PROFILE=<profile> and run aws sso login --profile <profile>, or configure credentials with aws configure',
      });
    case 'sso_expired':
    case 'credentials_expired':
      return error('AWS_SSO_EXPIRED', {
        title: 'AWS credentials expired or rejected',
        detail: e.message,
        evidence,
        fix: `aws sso login${profileFlag || ' --profile <profile>'} (or refresh the temporary credentials in your environment)`,
      });
    case 'region_missing':
      return error('AWS_REGION_MISSING', {
        title: 'No AWS region',
        detail: e.message,
        evidence,
        fix: 'export AWS_REGION=<region> (e.g. us-east-1), or pass region',
      });
    case 'access_denied':
      return error('CHECK_PERMISSION_DENIED', {
        title: `Permission denied: ${action}`,
        detail: `${e.message} This check was skipped; the others went on.`,
        evidence,
        fix: `Allow ${action} for the caller (the README lists the minimal read-only policy).`,
      });
    case 'throttled':
      return error('AWS_THROTTLED', { title: `Throttled: ${action}`, detail: e.message, evidence, fix: 'Retry in a few seconds.' });
    default:
      return error('AWS_CALL_FAILED', {
        title: `${action} failed`,
        detail: e.message,
        evidence,
        fix: kind === 'network' ? 'Check AWS_ENDPOINT_URL / network access to AWS.' : 'See the AWS error name in the evidence.',
      });
  }
}
