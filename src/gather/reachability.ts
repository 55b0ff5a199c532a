/**
 * The issuer as AWS STS fetches it: discovery → jwks_uri → JWKS → the token's kid, with
 * public-CA TLS and STS's ~5 s patience; the addresses the host resolved to (a Tailscale
 * address proves nothing for AWS) and, when an extra CA was configured, whether the public
 * trust store would accept the certificate. One attempt per call of `reachOnce`.
 */
import { latency } from '../checks/discovery.js';
import { skip, type Finding } from '../checks/finding.js';
import { matchKid } from '../checks/jwks/signature.js';
import { checkTailnet, PRIVATE_CA_NOTE } from '../checks/reachability.js';
import { fetchFailure } from '../checks/source-failure.js';
import { fetchDiscovery, type Fetched } from '../sources/oidc.js';
import type { GatherContext } from './context.js';
import { asFailure } from './failure.js';
import { gatherDiscovery, gatherJwks, judgeDiscovery } from './keys.js';

export interface ReachAttempt {
  ok: boolean;
  findings: Finding[];
  discovery?: Fetched | undefined;
  jwksUri?: string | undefined;
  kids: string[];
  row: { attempt: number; discovery: string; jwks: string; elapsed_ms: number };
}

const outcome = (f: Fetched | undefined, failed: Finding | undefined) => (failed ? String(failed.evidence?.cause ?? 'failed') : f ? `ok ${f.elapsedMs} ms` : 'not tried');

/** A TLS-untrusted failure says that AWS trusts public CAs only. */
const withCaNote = (f: Finding): Finding => (f.evidence?.cause === 'SOURCE_TLS_UNTRUSTED' ? { ...f, detail: `${f.detail} ${PRIVATE_CA_NOTE}` } : f);

/**
 * One pass over discovery → JWKS → kid as STS does it. `ctx.memo` decides reuse: the diagnosis
 * passes its own (the same fetches serve every section); a retry loop passes a fresh one per attempt.
 */
export async function reachOnce(ctx: GatherContext, n: number, issuer: string, expected: { issuer: string; from: string }, kid: string | undefined, opts: { fresh?: boolean } = {}): Promise<ReachAttempt> {
  const start = performance.now();
  const row = (d: string, j: string) => ({ attempt: n, discovery: d, jwks: j, elapsed_ms: Math.round(performance.now() - start) });
  const d = await gatherDiscovery(ctx, issuer, opts);
  if (!d.doc) {
    return { ok: false, kids: [], findings: [...d.findings.map(withCaNote), skip('JWKS_UNREACHABLE', { title: 'JWKS not fetched: no discovery document' })], row: row(outcome(undefined, d.findings[0]), 'not tried') };
  }
  const findings = judgeDiscovery(d, { expected, consumer: 'sts' });
  if (!d.jwksUri || findings.some((f) => f.code === 'DISCOVERY_JWKS_URI_INVALID' && f.status === 'fail')) {
    return { ok: false, kids: [], discovery: d.doc, findings: [...findings, skip('JWKS_UNREACHABLE', { title: 'JWKS not fetched: no usable jwks_uri' })], row: row(outcome(d.doc, undefined), 'not tried') };
  }
  const j = await gatherJwks(ctx, { url: d.jwksUri }, 'The JWKS', { kid, ...opts });
  if (!j.doc) {
    return { ok: false, kids: [], discovery: d.doc, jwksUri: d.jwksUri, findings: [...findings, ...j.findings.map(withCaNote)], row: row(outcome(d.doc, undefined), outcome(undefined, j.findings[0])) };
  }
  const slow = latency({ elapsedMs: j.doc.elapsedMs, consumer: 'sts', url: d.jwksUri, viaProxy: j.doc.http?.viaProxy });
  const kidFinding = kid === undefined ? skip('JWKS_KID_NOT_FOUND', { title: 'No token given; the kid was not checked' }) : matchKid({ kid }, j.keys, 'the public JWKS', 'sts').finding;
  const all = [...findings, { ...slow, title: `JWKS: ${slow.title}` }, ...j.findings, kidFinding];
  const ok = !all.some((f) => f.status === 'fail' || f.status === 'error');
  return { ok, kids: j.keys.flatMap((k) => (k.kid ? [k.kid] : [])), discovery: d.doc, jwksUri: d.jwksUri, findings: all, row: row(outcome(d.doc, undefined), outcome(j.doc, undefined)) };
}

/** Succeeded with an extra CA: would the public trust store (what AWS uses) accept it? */
export async function privateCaCheck(ctx: GatherContext, issuer: string): Promise<Finding | undefined> {
  if (!ctx.http.ca) return undefined;
  try {
    await fetchDiscovery(issuer, { ...ctx.http, ca: undefined }, ctx.signal, { fresh: true });
    return undefined;
  } catch (e) {
    const fl = asFailure(e);
    if (fl.code !== 'SOURCE_TLS_UNTRUSTED') return undefined;
    const f = withCaNote(fetchFailure('DISCOVERY_UNREACHABLE', 'The discovery document', fl));
    return { ...f, status: 'warn', title: 'Reachable here only through the extra CA you configured; the public trust store rejects the certificate' };
  }
}

/** Where the host resolved from here, and whether that is a tailnet-only address. */
export function addressFindings(issuer: string, a: ReachAttempt): { addresses: string[]; finding: Finding } {
  const host = new URL(issuer).hostname.replace(/^\[|\]$/g, '');
  const literal = /^[\d.]+$|:/.test(host);
  const proxy = a.discovery?.http?.viaProxy;
  if (proxy && !literal) {
    // The proxy resolved the name: this machine's own answer (tailnet or not) was not used.
    return { addresses: [], finding: skip('REACHABILITY_TAILNET_ONLY', { title: `Reached through proxy ${proxy}, which resolved ${host}; the address class was not checked`, evidence: { host, via_proxy: proxy } }) };
  }
  const addresses = a.discovery?.http?.addresses.length ? a.discovery.http.addresses : literal ? [host] : [];
  return { addresses, finding: a.discovery ? checkTailnet(host, addresses) : skip('REACHABILITY_TAILNET_ONLY', { title: 'Not reached; address class not checked' }) };
}
