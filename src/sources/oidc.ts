/**
 * Gathers OIDC facts: the discovery document and a JWKS, from a URL, a file or a cluster.
 * Decides nothing: validation is in src/checks/. Failures are classified SourceErrors.
 */
import { SourceError } from './errors.js';
import { readBoundedFile } from './file.js';
import { safeGetJson, type HttpPolicy, type JsonResult } from './http.js';
import { cacheKey, documentCache, type GetOptions } from './http-cache.js';
import { kubectlGetRawJson, type KubeTarget } from './kubectl.js';

/** `<issuer>/.well-known/openid-configuration`, keeping the issuer's path (no double slash). */
export function discoveryUrl(issuer: string): string {
  return issuer.replace(/\/+$/, '') + '/.well-known/openid-configuration';
}

export interface Fetched {
  /** Where it came from: a URL, `file:<path>` or `cluster:<path>`. */
  origin: string;
  json: unknown;
  bytes: number;
  elapsedMs: number;
  /** Present for HTTP fetches. */
  http?: Omit<JsonResult, 'json' | 'body'>;
}

function fromHttp(r: JsonResult): Fetched {
  const { json, body: _body, ...http } = r;
  return { origin: r.finalUrl, json, bytes: r.bytes, elapsedMs: r.elapsedMs, http };
}

/** Through the process's document cache (src/sources/http-cache.ts): one fetch per URL per short window. */
function cachedGetJson(url: string, policy: HttpPolicy, signal: AbortSignal | undefined, opts: GetOptions): Promise<JsonResult> {
  return documentCache.get(cacheKey(url, policy), (s) => safeGetJson(url, policy, s), signal, opts);
}

export interface FetchOptions {
  /** Fetch now, not from the cache (reachability probes, retry loops); the answer still refreshes the cache. */
  fresh?: boolean;
}

export async function fetchDiscovery(issuer: string, policy: HttpPolicy, signal?: AbortSignal, opts: FetchOptions = {}): Promise<Fetched> {
  return fromHttp(await cachedGetJson(discoveryUrl(issuer), policy, signal, { fresh: opts.fresh === true }));
}

/**
 * A JSON document (a JWKS) by URL. With `want.kid`, a cached key set that lacks that kid is
 * fetched again (the keys may have rotated), at most once per cache window.
 */
export async function fetchJson(url: string, policy: HttpPolicy, signal?: AbortSignal, want: FetchOptions & { kid?: string | undefined } = {}): Promise<Fetched> {
  const kid = want.kid;
  return fromHttp(await cachedGetJson(url, policy, signal, { fresh: want.fresh === true, ...(kid === undefined ? {} : { accept: (r: JsonResult) => hasKid(r.json, kid) }) }));
}

function hasKid(json: unknown, kid: string): boolean {
  const keys = (json as { keys?: unknown } | null)?.keys;
  return Array.isArray(keys) && keys.some((k) => (k as { kid?: unknown } | null)?.kid === kid);
}

export async function readJsonFile(path: string, maxBytes = 1024 * 1024): Promise<Fetched> {
  const start = performance.now();
  const text = await readBoundedFile(path, maxBytes);
  const bytes = Buffer.byteLength(text);
  try {
    return { origin: `file:${path}`, json: JSON.parse(text), bytes, elapsedMs: Math.round(performance.now() - start) };
  } catch {
    throw new SourceError('SOURCE_NOT_JSON', `${path} is not JSON.`, { path });
  }
}

/** The cluster's own document through `kubectl get --raw` (`/openid/v1/jwks`, `/.well-known/openid-configuration`). */
export async function readClusterJson(path: '/openid/v1/jwks' | '/.well-known/openid-configuration', target: KubeTarget): Promise<Fetched> {
  const { json, elapsedMs } = await kubectlGetRawJson(path, target);
  return { origin: `cluster:${path}`, json, bytes: Buffer.byteLength(JSON.stringify(json)), elapsedMs };
}
