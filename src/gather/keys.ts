/**
 * Discovery → JWKS, written once: the issuer's discovery document, its jwks_uri, and the key
 * set (from a URL, a file or the cluster), each fetched once per call. Returns the documents as
 * facts plus the findings for what could not be fetched; judging them is the checks' work.
 */
import { checkDiscovery } from '../checks/discovery.js';
import type { Finding } from '../checks/finding.js';
import type { Consumer } from '../checks/jwks/consumer.js';
import { readKeySet, type KeyFacts } from '../checks/jwks/keys.js';
import { discoveryUrl, fetchDiscovery, fetchJson, readClusterJson, readJsonFile, type Fetched } from '../sources/oidc.js';
import type { KubeTarget } from '../sources/kubectl.js';
import { once, type GatherContext } from './context.js';
import { failureFinding } from './failure.js';

export interface DiscoveryGathered {
  issuer: string;
  url: string;
  doc?: Fetched | undefined;
  /** The jwks_uri the document names, when it names one as a string. */
  jwksUri?: string | undefined;
  findings: Finding[];
}

/** `fresh`: bypass the process-wide cache (probes and retries must see the endpoint as it is now). */
export function gatherDiscovery(ctx: GatherContext, issuer: string, opts: { fresh?: boolean } = {}): Promise<DiscoveryGathered> {
  return once(ctx, `discovery:${issuer}`, async () => {
    const url = discoveryUrl(issuer);
    ctx.progress(0, undefined, `fetching discovery ${url}`);
    try {
      const doc = await fetchDiscovery(issuer, ctx.http, ctx.signal, { fresh: opts.fresh === true });
      const uri = (doc.json as { jwks_uri?: unknown } | null)?.jwks_uri;
      return { issuer, url, doc, ...(typeof uri === 'string' ? { jwksUri: uri } : {}), findings: [] };
    } catch (e) {
      return { issuer, url, findings: [failureFinding(e, { fetch: { code: 'DISCOVERY_UNREACHABLE', what: `The discovery document at ${url}` } })] };
    }
  });
}

/** Judges a gathered discovery document for a verifier (what the checks say about it). */
export function judgeDiscovery(d: DiscoveryGathered, opts: { expected?: { issuer: string; from: string } | undefined; consumer: Consumer; allowHttpLoopback?: boolean | undefined }): Finding[] {
  if (!d.doc) return d.findings;
  return checkDiscovery({
    json: d.doc.json,
    url: d.doc.origin,
    expected: opts.expected,
    consumer: opts.consumer,
    elapsedMs: d.doc.elapsedMs,
    redirects: d.doc.http?.redirects ?? [],
    allowHttpLoopback: opts.allowHttpLoopback,
    viaProxy: d.doc.http?.viaProxy,
  });
}

export interface JwksGathered {
  source: string;
  doc?: Fetched | undefined;
  keys: KeyFacts[];
  /** What could not be fetched, and what is wrong with the set itself (readKeySet). */
  findings: Finding[];
}

export type KeySetSource = { url: string } | { file: string } | { cluster: KubeTarget };

const sourceKey = (s: KeySetSource) => ('url' in s ? `url:${s.url}` : 'file' in s ? `file:${s.file}` : `cluster:${s.cluster.context ?? ''}:${s.cluster.kubeconfig ?? ''}`);

/** `kid`: a cached key set that lacks it is fetched again (a rotation); `fresh`: bypass the cache. */
export function gatherJwks(ctx: GatherContext, src: KeySetSource, what = 'The JWKS', opts: { kid?: string | undefined; fresh?: boolean } = {}): Promise<JwksGathered> {
  return once(ctx, `jwks:${sourceKey(src)}`, async () => {
    const source = 'url' in src ? src.url : 'file' in src ? `file:${src.file}` : 'cluster:/openid/v1/jwks';
    ctx.progress(0, undefined, `fetching JWKS ${source}`);
    try {
      const doc = 'url' in src ? await fetchJson(src.url, ctx.http, ctx.signal, { kid: opts.kid, fresh: opts.fresh === true }) : 'file' in src ? await readJsonFile(src.file) : await readClusterJson('/openid/v1/jwks', { ...src.cluster, signal: ctx.signal });
      const set = await readKeySet(doc.json);
      return { source, doc, keys: set.keys, findings: set.findings };
    } catch (e) {
      const as = 'cluster' in src ? { kube: 'Reading the cluster JWKS' } : { fetch: { code: 'JWKS_UNREACHABLE' as const, what: `${what} at ${source}` } };
      return { source, keys: [], findings: [failureFinding(e, as)] };
    }
  });
}

/** The issuer's keys as a verifier finds them: discovery (unless a JWKS URL is configured), then the JWKS. */
export async function gatherIssuerKeys(ctx: GatherContext, opts: { issuer?: string | undefined; jwksUrl?: string | undefined; kid?: string | undefined; fresh?: boolean }): Promise<{ discovery?: DiscoveryGathered | undefined; jwks?: JwksGathered | undefined }> {
  const want = { kid: opts.kid, fresh: opts.fresh === true };
  if (opts.jwksUrl) {
    const [discovery, jwks] = await Promise.all([opts.issuer ? gatherDiscovery(ctx, opts.issuer, want) : undefined, gatherJwks(ctx, { url: opts.jwksUrl }, 'The JWKS', want)]);
    return { discovery, jwks };
  }
  if (!opts.issuer) return {};
  const discovery = await gatherDiscovery(ctx, opts.issuer, want);
  return { discovery, jwks: discovery.jwksUri ? await gatherJwks(ctx, { url: discovery.jwksUri }, 'The JWKS', want) : undefined };
}
