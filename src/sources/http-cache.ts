/**
 * Discovery documents and JWKS, fetched once per short window and shared by every tool call
 * and diagnosis inside one process (the MCP server answers many calls against one issuer).
 *
 * - keyed by URL and HTTP policy (a different CA or timeout is a different fetch);
 * - kept for the response's `Cache-Control: max-age`, at most 5 minutes; 60 s when the
 *   header gives none; not kept at all for `no-store`, `no-cache` or `max-age=0`;
 * - a failure is kept 3 s at most (a retry storm is avoided, a fixed issuer is seen at once);
 *   a cancelled fetch is never kept;
 * - concurrent callers of one URL share one request; it is cancelled only when every caller
 *   has cancelled;
 * - at most 64 entries, least recently used dropped first.
 *
 * The caller decides when a cached document is not good enough (a JWKS without the token's
 * `kid`: the keys may have rotated); one forced refetch per entry window, never more.
 */
import { SourceError } from './errors.js';
import type { HttpPolicy, JsonResult } from './http.js';

export const CACHE_LIMITS = { maxTtlMs: 300_000, defaultTtlMs: 60_000, failureTtlMs: 3_000, maxEntries: 64 } as const;

/** How long a response may be kept, from its Cache-Control header (ms, 0 = not at all). */
export function ttlOf(cacheControl: string | undefined, limits: { maxTtlMs: number; defaultTtlMs: number } = CACHE_LIMITS): number {
  if (!cacheControl) return limits.defaultTtlMs;
  const cc = cacheControl.toLowerCase();
  if (/(^|[,\s])(no-store|no-cache)\b/.test(cc)) return 0;
  const m = /(?:^|[,\s])max-age\s*=\s*"?(\d+)/.exec(cc);
  if (!m) return limits.defaultTtlMs;
  return Math.min(Number(m[1]) * 1000, limits.maxTtlMs);
}

interface Entry {
  expires: number;
  value?: JsonResult;
  error?: unknown;
  /** Until when a forced refetch (a kid the cached set lacks) is refused. */
  forcedUntil?: number;
}

interface Shared {
  promise: Promise<JsonResult>;
  controller: AbortController;
  waiters: number;
}

export interface CacheStats {
  /** Requests actually sent. */
  fetches: number;
  /** Answers served from a kept entry (value or failure). */
  hits: number;
  /** Callers that joined a request already in flight. */
  joined: number;
  /** Refetches forced because a cached document was refused (e.g. a missing kid). */
  forced: number;
}

export interface GetOptions {
  /** Skip the kept entry and any request in flight (probes and retry loops measure *now*); the answer is kept for others. */
  fresh?: boolean;
  /** Return false to refuse a cached document (once per window): it is fetched again. */
  accept?: (cached: JsonResult) => boolean;
}

export class JsonCache {
  private entries = new Map<string, Entry>();
  private inflight = new Map<string, Shared>();
  readonly stats: CacheStats = { fetches: 0, hits: 0, joined: 0, forced: 0 };

  constructor(
    private readonly limits: { maxTtlMs: number; defaultTtlMs: number; failureTtlMs: number; maxEntries: number } = CACHE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  async get(key: string, fetch: (signal: AbortSignal) => Promise<JsonResult>, signal?: AbortSignal, opts: GetOptions = {}): Promise<JsonResult> {
    if (opts.fresh) return this.join(this.start(key, fetch), signal, key);
    const entry = this.fresh(key);
    if (entry) {
      if (entry.error !== undefined) {
        this.stats.hits++;
        throw entry.error;
      }
      const value = entry.value as JsonResult;
      if (!opts.accept || opts.accept(value)) {
        this.stats.hits++;
        return copy(value);
      }
      if ((entry.forcedUntil ?? 0) > this.now()) {
        this.stats.hits++;
        return copy(value);
      }
      this.stats.forced++;
      this.entries.delete(key);
      const running = this.inflight.get(key);
      return this.join(running ?? this.start(key, fetch, entry.expires), signal, key);
    }
    const running = this.inflight.get(key);
    if (running) {
      this.stats.joined++;
      return this.join(running, signal, key);
    }
    return this.join(this.start(key, fetch), signal, key);
  }

  clear(): void {
    this.entries.clear();
    for (const s of this.inflight.values()) s.controller.abort();
    this.inflight.clear();
    Object.assign(this.stats, { fetches: 0, hits: 0, joined: 0, forced: 0 });
  }

  get size(): number {
    return this.entries.size;
  }

  private fresh(key: string): Entry | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    // Least recently used goes first: re-insert on use.
    this.entries.delete(key);
    this.entries.set(key, e);
    return e;
  }

  private start(key: string, fetch: (signal: AbortSignal) => Promise<JsonResult>, forcedUntil?: number): Shared {
    const controller = new AbortController();
    this.stats.fetches++;
    const shared: Shared = { controller, waiters: 0, promise: undefined as unknown as Promise<JsonResult> };
    shared.promise = fetch(controller.signal).then(
      (value) => {
        const ttl = ttlOf(value.cacheControl, this.limits);
        if (ttl > 0) this.put(key, { expires: this.now() + ttl, value, ...(forcedUntil ? { forcedUntil } : {}) });
        return value;
      },
      (error: unknown) => {
        const cancelled = controller.signal.aborted || (error instanceof SourceError && error.facts.cancelled === true);
        if (error instanceof SourceError && !cancelled) this.put(key, { expires: this.now() + this.limits.failureTtlMs, error });
        throw error;
      },
    );
    shared.promise
      .finally(() => {
        if (this.inflight.get(key) === shared) this.inflight.delete(key);
      })
      .catch(() => undefined);
    this.inflight.set(key, shared);
    return shared;
  }

  private put(key: string, e: Entry): void {
    this.entries.delete(key);
    this.entries.set(key, e);
    while (this.entries.size > this.limits.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** Waits for a shared request with the caller's own signal; the last caller to cancel cancels the request. */
  private join(shared: Shared, signal: AbortSignal | undefined, key: string): Promise<JsonResult> {
    shared.waiters++;
    if (!signal) return shared.promise.then(copy);
    return new Promise<JsonResult>((resolve, reject) => {
      const onAbort = () => {
        shared.waiters--;
        if (shared.waiters === 0) shared.controller.abort(signal.reason);
        const host = hostOf(key);
        reject(new SourceError('SOURCE_TIMEOUT', `Fetching from ${host} was cancelled.`, { host, cancelled: true }));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      shared.promise.then(
        (v) => {
          signal.removeEventListener('abort', onAbort);
          resolve(copy(v));
        },
        (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      );
    });
  }
}

/** Each caller gets its own JSON tree (a check may not mutate another caller's document). */
function copy(v: JsonResult): JsonResult {
  return { ...v, json: structuredClone(v.json), redirects: v.redirects.map((r) => ({ ...r })), addresses: [...v.addresses] };
}

function hostOf(key: string): string {
  try {
    return new URL(key.split('\u0000')[0] ?? '').host;
  } catch {
    return 'the server';
  }
}

/** The cache key: the URL and every policy field that can change the answer. */
export function cacheKey(url: string, policy: HttpPolicy): string {
  return [url, policy.allowHttpLoopback ? 1 : 0, policy.timeoutMs, policy.maxBytes, policy.maxRedirects, policy.ca ?? ''].join('\u0000');
}

/** The one cache of the process: tools and diagnoses share it. */
export const documentCache = new JsonCache();
