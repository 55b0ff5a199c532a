/**
 * Judges a fetched OIDC discovery document: shape (DISCOVERY_INVALID), `issuer` exactly the
 * expected issuer (DISCOVERY_ISSUER_MISMATCH), `jwks_uri` (DISCOVERY_JWKS_URI_INVALID),
 * latency against the ~5 s STS waits (DISCOVERY_SLOW) and redirects (DISCOVERY_REDIRECTED).
 */
import { fail, pass, skip, warn, type Finding } from './finding.js';
import type { Consumer } from './jwks/consumer.js';
import { CONSUMER_ALGS, CONSUMER_NAME } from './token/header.js';
import { describeDifference } from './token/difference.js';

/** STS gives up after about 5 s; warn well before. */
export const SLOW_WARN_MS = 3000;
export const CONSUMER_TIMEOUT_MS = 5000;

export interface RedirectFact {
  from: string;
  to: string;
  status: number;
  offHost: boolean;
}

export interface DiscoveryFacts {
  json: unknown;
  /** The URL fetched. */
  url: string;
  /** What `issuer` must equal, and where that value came from (`token iss`, `input issuer`). */
  expected?: { issuer: string; from: string } | undefined;
  consumer: Consumer;
  elapsedMs: number;
  redirects: RedirectFact[];
  /** The caller opted into plain http on loopback (local test issuers): such a jwks_uri warns instead of failing. */
  allowHttpLoopback?: boolean | undefined;
  /** The proxy the fetch went through (`http://host:port`), when it did: the latency includes it. */
  viaProxy?: string | undefined;
}

const RECOMMENDED = ['response_types_supported', 'subject_types_supported', 'id_token_signing_alg_values_supported'];

export function checkDiscovery(f: DiscoveryFacts): Finding[] {
  if (!f.json || typeof f.json !== 'object' || Array.isArray(f.json)) {
    return [
      fail('DISCOVERY_INVALID', {
        title: 'The discovery document is not a JSON object',
        detail: `${f.url} returned ${Array.isArray(f.json) ? 'an array' : typeof f.json}.`,
        fix: 'Serve the OpenID Provider Metadata object at <issuer>/.well-known/openid-configuration.',
      }),
    ];
  }
  const doc = f.json as Record<string, unknown>;
  return [shape(doc, f), issuerMatch(doc, f), jwksUri(doc, f.allowHttpLoopback === true), latency(f), redirected(f)];
}

function shape(doc: Record<string, unknown>, f: DiscoveryFacts): Finding {
  const problems: string[] = [];
  const notes: string[] = [];
  if (typeof doc.issuer !== 'string' || doc.issuer === '') problems.push('no "issuer" string');
  const missing = RECOMMENDED.filter((m) => !(m in doc));
  if (missing.length) notes.push(`missing ${missing.join(', ')}`);
  const algs = doc.id_token_signing_alg_values_supported;
  const accepted = CONSUMER_ALGS[f.consumer];
  if (f.consumer !== 'generic' && Array.isArray(algs) && !algs.some((a) => accepted.includes(String(a)))) {
    problems.push(`id_token_signing_alg_values_supported is [${algs.join(', ')}]; ${CONSUMER_NAME[f.consumer]} verifies ${accepted.join(', ')} only`);
  }
  const evidence = { members: Object.keys(doc).slice(0, 30), missing_recommended: missing };
  if (problems.length) {
    return fail('DISCOVERY_INVALID', {
      title: 'The discovery document is not usable',
      detail: [...problems, ...notes].join('; ') + '.',
      evidence,
      fix: 'Serve issuer, jwks_uri and id_token_signing_alg_values_supported (including "RS256") in the discovery document.',
    });
  }
  if (notes.length) {
    return warn('DISCOVERY_INVALID', {
      title: 'The discovery document lacks recommended members',
      detail: notes.join('; ') + '. AWS needs only issuer and jwks_uri; strict OIDC clients need these too.',
      evidence,
      fix: `Add ${missing.join(', ')} to the discovery document.`,
    });
  }
  return pass('DISCOVERY_INVALID', { title: 'The discovery document has the required members', evidence });
}

function issuerMatch(doc: Record<string, unknown>, f: DiscoveryFacts): Finding {
  const actual = typeof doc.issuer === 'string' ? doc.issuer : undefined;
  if (!f.expected) return skip('DISCOVERY_ISSUER_MISMATCH', { title: 'No expected issuer given; issuer equality not checked', evidence: { issuer: actual } });
  if (actual === undefined) return skip('DISCOVERY_ISSUER_MISMATCH', { title: 'The document has no issuer to compare' });
  const diff = describeDifference(actual, f.expected.issuer);
  const evidence = { document_issuer: actual, expected_issuer: f.expected.issuer, expected_from: f.expected.from };
  if (!diff) return pass('DISCOVERY_ISSUER_MISMATCH', { title: `The document's issuer equals the ${f.expected.from} exactly`, evidence });
  return fail('DISCOVERY_ISSUER_MISMATCH', {
    title: `The document's issuer is not exactly the ${f.expected.from}`,
    detail: `Document issuer "${actual}" vs ${f.expected.from} "${f.expected.issuer}": ${diff.text}. Verifiers compare them byte for byte.`,
    evidence: { ...evidence, difference: diff.kind },
    fix: 'Make the issuer identical everywhere: the IdP / API server --service-account-issuer, the bridge ISSUER_URL, and the URL you check (same scheme, host, path, no trailing slash).',
  });
}

function jwksUri(doc: Record<string, unknown>, allowHttpLoopback: boolean): Finding {
  const raw = doc.jwks_uri;
  const bad = (title: string) =>
    fail('DISCOVERY_JWKS_URI_INVALID', { title, evidence: { jwks_uri: raw }, fix: 'Set jwks_uri to the https URL of the JWKS (for the bridge: <ISSUER_URL>/openid/v1/jwks).' });
  if (typeof raw !== 'string' || raw === '') return bad('The discovery document has no jwks_uri');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return bad(`jwks_uri "${raw.slice(0, 200)}" is not a valid absolute URL`);
  }
  if (url.protocol === 'http:' && allowHttpLoopback && /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/.test(url.hostname)) {
    return warn('DISCOVERY_JWKS_URI_INVALID', {
      title: 'jwks_uri is plain http on loopback: accepted for local testing only',
      detail: 'AWS ALB and STS fetch https only; this issuer works here because http to loopback was allowed.',
      evidence: { jwks_uri: raw },
      fix: 'Serve the JWKS over https before pointing AWS at this issuer.',
    });
  }
  if (url.protocol !== 'https:') return bad(`jwks_uri uses ${url.protocol}; consumers fetch https only`);
  return pass('DISCOVERY_JWKS_URI_INVALID', { title: 'jwks_uri is an https URL', evidence: { jwks_uri: raw } });
}

/** Latency of one fetch against what a consumer waits. Exported for the JWKS fetch too. */
export function latency(f: { elapsedMs: number; consumer: Consumer; url: string; what?: string; viaProxy?: string | undefined }): Finding {
  const what = f.what ?? 'The discovery document';
  const evidence = { elapsed_ms: f.elapsedMs, warn_above_ms: SLOW_WARN_MS, consumer_timeout_ms: CONSUMER_TIMEOUT_MS, url: f.url, ...(f.viaProxy ? { via_proxy: f.viaProxy } : {}) };
  const via = f.viaProxy ? ` (through proxy ${f.viaProxy})` : '';
  if (f.elapsedMs <= SLOW_WARN_MS) return pass('DISCOVERY_SLOW', { title: `${what} answered in ${f.elapsedMs} ms${via}`, evidence });
  const over = f.elapsedMs > CONSUMER_TIMEOUT_MS;
  const mk = over && (f.consumer === 'sts' || f.consumer === 'bridge') ? fail : warn;
  return mk('DISCOVERY_SLOW', {
    title: `${what} answered in ${f.elapsedMs} ms${via}, ${over ? 'over' : 'close to'} the ~5 s STS waits`,
    detail: 'STS reports a slow endpoint as "Couldn\'t retrieve verification key from your identity provider".',
    evidence,
    fix: 'Serve the document faster: check the bridge pod\'s resources and the Funnel / proxy path; re-run with attempts > 1 to see if it is transient.',
  });
}

function redirected(f: DiscoveryFacts): Finding {
  const offHost = f.redirects.filter((r) => r.offHost);
  const evidence = { redirects: f.redirects.map((r) => ({ from: r.from, to: r.to, status: r.status, off_host: r.offHost })) };
  if (offHost.length === 0) {
    return pass('DISCOVERY_REDIRECTED', { title: f.redirects.length ? `Followed ${f.redirects.length} same-host redirect(s)` : 'Served without a redirect', evidence });
  }
  return warn('DISCOVERY_REDIRECTED', {
    title: `The document is served through a redirect to another host (${new URL(offHost[0]!.to).host})`,
    detail: `${f.redirects.length} redirect(s), ${offHost.length} off-host. A consumer such as STS may not follow it.`,
    evidence,
    fix: 'Serve the document directly at <issuer>/.well-known/openid-configuration, without a redirect.',
  });
}

export interface AttemptFact {
  attempt: number;
  ok: boolean;
  cause?: string | undefined;
}

/** Reachability over a retry schedule: pass on the first attempt, warn when it took several. */
export function checkAttempts(attempts: AttemptFact[]): Finding {
  const failed = attempts.filter((a) => !a.ok);
  const evidence = { attempts: attempts.length, failed_causes: failed.map((a) => a.cause) };
  if (failed.length === 0) return pass('DISCOVERY_UNREACHABLE', { title: 'The discovery document is reachable', evidence });
  return warn('DISCOVERY_UNREACHABLE', {
    title: `The discovery document answered only on attempt ${attempts.length}`,
    detail: `Earlier attempts failed (${failed.map((a) => a.cause).join(', ')}). While an endpoint is still propagating (Tailscale Funnel, DNS), STS fails the same way.`,
    evidence,
    fix: 'Wait until several attempts in a row succeed before retrying AssumeRoleWithWebIdentity.',
  });
}
