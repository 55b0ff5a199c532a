/**
 * The one way jwt-triage fetches a URL.
 *
 * - https only; plain http only to a loopback address and only when the caller opts in;
 * - never link-local or cloud metadata addresses (169.254.0.0/16, fe80::/10, fd00:ec2::254),
 *   checked on the literal host and on every address DNS returns (no rebinding);
 * - no `file:` / `data:` or any other scheme; callers never pass a URL taken from a
 *   token header (`jku`, `x5u`);
 * - a deadline for the whole exchange (default 5 s), a body limit (default 1 MiB), at most
 *   3 redirects, each reported (off-host ones flagged);
 * - extra CAs from the standard NODE_EXTRA_CA_CERTS (or `policy.ca` in-process);
 * - through the proxy that HTTPS_PROXY (HTTP_PROXY for the loopback-http opt-in) names, unless
 *   NO_PROXY matches the host (src/sources/proxy.ts), tunnelled with CONNECT.
 *
 * What the address guard promises through a proxy: a literal address in the URL (or in a
 * redirect) is checked before any proxy is used, as without one. A host *name* is resolved by
 * the proxy, so the address cannot be pinned here; the name is still resolved with this
 * machine's DNS first (within the same deadline) and refused when any answer is forbidden.
 * When this machine cannot resolve it (the usual reason for a proxy), the fetch goes on through
 * the proxy: the proxy's own resolution — and what its network can reach — is the proxy's policy.
 *
 * Failures are thrown as `SourceError` with a classified `code`; a failure of the proxy itself
 * (CONNECT refused or unanswered, proxy unreachable) is SOURCE_PROXY, never the host's fault.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { lookup as dnsLookupAll } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import type { Dispatcher, Pool } from 'undici';
import { SourceError, type SourceErrorCode } from './errors.js';
import { proxyFor, type ProxyChoice } from './proxy.js';
import { loadUndici } from './undici.js';

/** undici is loaded on the first fetch, not at start-up (--help and offline token tools never need it). */
let undiciModule: Promise<typeof import('undici')> | undefined;
const undici = () => (undiciModule ??= Promise.resolve().then(loadUndici));

export interface HttpPolicy {
  /** Allow `http:` to 127.0.0.0/8 and ::1 (for local test issuers). */
  allowHttpLoopback: boolean;
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  /** Extra trusted CA certificates (PEM), in addition to Node's store. */
  ca?: string | undefined;
}

export const DEFAULT_HTTP_POLICY: HttpPolicy = {
  allowHttpLoopback: false,
  timeoutMs: 5000,
  maxBytes: 1024 * 1024,
  maxRedirects: 3,
};

export interface Redirect {
  from: string;
  to: string;
  status: number;
  offHost: boolean;
}

export interface HttpResult {
  url: string;
  finalUrl: string;
  status: number;
  contentType: string | undefined;
  body: string;
  bytes: number;
  elapsedMs: number;
  redirects: Redirect[];
  /** The addresses the host resolved to (the first is the one used); empty through a proxy (the proxy resolved it). */
  addresses: string[];
  /** `http://host:port` of the proxy the final request went through (never with credentials). */
  viaProxy?: string | undefined;
  /** The response's Cache-Control header, for the discovery/JWKS cache (src/sources/http-cache.ts). */
  cacheControl?: string | undefined;
}

export interface JsonResult extends HttpResult {
  json: unknown;
}

/**
 * Whether an IP address may never be fetched: link-local and cloud metadata, including the
 * IPv4 metadata address embedded in an IPv6 one — mapped (`::ffff:169.254.169.254`),
 * IPv4-compatible (`::169.254.169.254`, `::a9fe:a9fe`), SIIT (`::ffff:0:a9fe:a9fe`), NAT64
 * (`64:ff9b::a9fe:a9fe`, RFC 6052; `64:ff9b:1::/48`, RFC 8215), 6to4 (`2002:a9fe:a9fe::`) and
 * Teredo (server or de-obfuscated client address).
 */
export function isForbiddenAddress(address: string): boolean {
  const a = address.toLowerCase().replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIP(a) === 4) return a.startsWith('169.254.');
  if (isIP(a) !== 6) return false;
  const h = ipv6Hextets(a);
  if (!h) return false;
  if ((h[0]! & 0xffc0) === 0xfe80) return true; // fe80::/10
  if (a === 'fd00:ec2::254' || (h[0] === 0xfd00 && h[1] === 0x0ec2 && h.slice(2, 7).every((x) => x === 0) && h[7] === 0x254)) return true;
  return embeddedIpv4(h).some((v4) => isForbiddenAddress(v4));
}

/** The eight 16-bit groups of an IPv6 address (with a dotted IPv4 tail expanded), or undefined. */
function ipv6Hextets(a: string): number[] | undefined {
  let text = a;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const o = dotted[1]!.split('.').map(Number);
    if (o.some((x) => x > 255)) return undefined;
    text = text.slice(0, -dotted[1]!.length) + `${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const part = (x: string) => (x === '' ? [] : x.split(':').map((g) => parseInt(g, 16)));
  const head = part(halves[0]!);
  const tail = halves.length === 2 ? part(halves[1]!) : [];
  const fill = 8 - head.length - tail.length;
  if (fill < 0 || (halves.length === 1 && fill !== 0)) return undefined;
  const all = [...head, ...new Array<number>(fill).fill(0), ...tail];
  return all.some((x) => Number.isNaN(x) || x < 0 || x > 0xffff) ? undefined : all;
}

const v4 = (hi: number, lo: number) => [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');

/** Every IPv4 address an IPv6 address may carry, by the standard embeddings. */
function embeddedIpv4(h: number[]): string[] {
  const out: string[] = [];
  const zero = (from: number, to: number) => h.slice(from, to).every((x) => x === 0);
  if (zero(0, 5) && (h[5] === 0 || h[5] === 0xffff)) out.push(v4(h[6]!, h[7]!)); // ::a.b.c.d, ::ffff:a.b.c.d
  if (zero(0, 4) && h[4] === 0xffff && h[5] === 0) out.push(v4(h[6]!, h[7]!)); // ::ffff:0:a.b.c.d (SIIT)
  if (h[0] === 0x64 && h[1] === 0xff9b) out.push(v4(h[6]!, h[7]!)); // 64:ff9b::/96 and 64:ff9b:1::/48
  if (h[0] === 0x2002) out.push(v4(h[1]!, h[2]!)); // 6to4
  if (h[0] === 0x2001 && h[1] === 0) out.push(v4(h[2]!, h[3]!), v4(~h[6]! & 0xffff, ~h[7]! & 0xffff)); // Teredo
  return out;
}

export function isLoopbackAddress(address: string): boolean {
  const a = address.toLowerCase().replace(/^\[|\]$/g, '');
  return (isIP(a) === 4 && a.startsWith('127.')) || a === '::1' || a === 'localhost';
}

/** Checks a URL against the policy before anything is sent. Throws SOURCE_BLOCKED. */
export function assertFetchable(raw: string, policy: HttpPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SourceError('SOURCE_BLOCKED', `"${raw.slice(0, 200)}" is not a valid absolute URL.`, { url: raw.slice(0, 200) });
  }
  if (url.username || url.password) {
    throw new SourceError('SOURCE_BLOCKED', `URL ${url.host} carries credentials; they are never sent.`, { host: url.host });
  }
  const host = url.hostname;
  if (isForbiddenAddress(host)) {
    throw new SourceError('SOURCE_BLOCKED', `${host} is a link-local or cloud metadata address; it is never fetched.`, { host });
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:') {
    if (!isLoopbackAddress(host)) {
      throw new SourceError('SOURCE_BLOCKED', `Plain http is refused for ${host}; use https.`, { host });
    }
    if (!policy.allowHttpLoopback) {
      throw new SourceError('SOURCE_BLOCKED', `Plain http to ${host} needs the allow-http-loopback option (--allow-http-loopback).`, { host });
    }
    return url;
  }
  throw new SourceError('SOURCE_BLOCKED', `The ${url.protocol} scheme is never fetched; only https (and http to loopback when allowed).`, {
    scheme: url.protocol,
  });
}

/**
 * Node's roots plus NODE_EXTRA_CA_CERTS plus `extra`: passing `ca` to TLS replaces the default
 * store, so the defaults are spelled out to keep public issuers reachable.
 */
function trustedWith(extra: string): string[] {
  const env = process.env.NODE_EXTRA_CA_CERTS;
  let fromEnv: string[] = [];
  if (env) {
    try {
      fromEnv = [readFileSync(env, 'utf8')];
    } catch {
      /* Node already warned at startup */
    }
  }
  return [...rootCertificates, ...fromEnv, extra];
}

type LookupCb = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** dns.lookup that refuses forbidden addresses and records what it resolved. */
function guardedLookup(seen: string[]) {
  return (hostname: string, options: object, cb: LookupCb) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return cb(err, '');
      const list = addresses as LookupAddress[];
      for (const a of list) seen.push(a.address);
      const bad = list.find((a) => isForbiddenAddress(a.address));
      if (bad) {
        const e: NodeJS.ErrnoException = new Error(`${hostname} resolves to ${bad.address}, a link-local or metadata address`);
        e.code = 'EJWT_TRIAGE_BLOCKED';
        return cb(e, '');
      }
      const wantAll = (options as { all?: boolean }).all === true;
      if (wantAll) return cb(null, list);
      const first = list[0];
      if (!first) return cb(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '');
      cb(null, first.address, first.family);
    });
  };
}

const TLS_UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_UNTRUSTED',
]);

/** The most specific string `code` along the cause chain (DOMException codes are numbers: ignored). */
function errCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur; i++) {
    const c = (cur as { code?: unknown }).code;
    if (typeof c === 'string' && c !== 'UND_ERR_SOCKET' && c !== 'UND_ERR_CONNECT' && c !== 'UND_ERR_PRX_TLS') return c;
    cur = (cur as { cause?: unknown }).cause;
  }
  const top = (e as { code?: unknown } | null)?.code;
  return typeof top === 'string' ? top : undefined;
}

/** Maps a network error to a SourceError with a plain-words message. */
export function classifyNetworkError(e: unknown, url: URL, elapsedMs: number, timedOut: boolean): SourceError {
  if (e instanceof SourceError) return e;
  const code = errCode(e);
  const host = url.host;
  const facts = { host, elapsed_ms: elapsedMs, error_code: code };
  const mk = (c: SourceErrorCode, m: string) => new SourceError(c, m, facts, { cause: e });
  if (timedOut || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ABORT_ERR') {
    return mk('SOURCE_TIMEOUT', `${host} did not answer within ${elapsedMs} ms.`);
  }
  if (code === 'EJWT_TRIAGE_BLOCKED') return mk('SOURCE_BLOCKED', `${host} resolves to a link-local or metadata address; it is never fetched.`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return mk('SOURCE_DNS', `${url.hostname} does not resolve (DNS ${code}).`);
  if (code === 'ECONNREFUSED') return mk('SOURCE_REFUSED', `${host} refused the connection (nothing listens there).`);
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return mk('SOURCE_RESET', `${host} closed the connection.`);
  if (code && TLS_UNTRUSTED.has(code)) {
    return mk('SOURCE_TLS_UNTRUSTED', `${host}'s certificate is not signed by a trusted CA (${code}). If it is a private CA, start jwt-triage with NODE_EXTRA_CA_CERTS=/path/ca.pem.`);
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return mk('SOURCE_TLS_EXPIRED', `${host}'s certificate is outside its validity period (${code}).`);
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return mk('SOURCE_TLS_NAME', `${host}'s certificate is not valid for the name ${url.hostname}.`);
  if (code && (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code.includes('CERT'))) return mk('SOURCE_TLS_OTHER', `TLS with ${host} failed (${code}).`);
  return mk('SOURCE_NETWORK', `Fetching from ${host} failed (${code ?? (e as Error)?.message ?? 'unknown error'}).`);
}

/**
 * GET a URL under the policy. Resolves with the body (≤ maxBytes) and facts; throws a
 * classified SourceError on any failure, including a non-2xx status (SOURCE_HTTP_STATUS,
 * with the status and a short, redacted body excerpt in `facts`).
 */
export async function safeGet(raw: string, policy: HttpPolicy = DEFAULT_HTTP_POLICY, signal?: AbortSignal): Promise<HttpResult> {
  const start = performance.now();
  const deadline = AbortSignal.timeout(policy.timeoutMs);
  const combined = signal ? AbortSignal.any([deadline, signal]) : deadline;
  const redirects: Redirect[] = [];
  const { request } = await undici();
  const first = assertFetchable(raw, policy);
  let url = first;
  // Chosen again for every redirect hop: a hop to a NO_PROXY host goes direct.
  let proxy = proxyFor(url);
  let pooled = await agentFor(policy, proxy);
  const elapsed = () => Math.round(performance.now() - start);
  const via = () => (proxy ? { via_proxy: proxy.display } : {});
  const failureOf = (e: unknown): SourceError => {
    if (signal?.aborted && !deadline.aborted) {
      return new SourceError('SOURCE_TIMEOUT', `Fetching from ${url.host} was cancelled after ${elapsed()} ms.`, { host: url.host, elapsed_ms: elapsed(), cancelled: true, ...via() }, { cause: e });
    }
    if (proxy) return proxiedFailure(e, url, proxy, elapsed(), deadline.aborted, pooled);
    return classifyNetworkError(e, url, elapsed(), deadline.aborted);
  };
  // The whole exchange — DNS, connect, TLS handshake, headers, body — races one deadline: undici's
  // own connect timeout starts after DNS and did not cover a stalled handshake (it answered at 1.1×).
  const expired = new Promise<never>((_, reject) => {
    const fire = () => reject(combined.reason ?? new Error('aborted'));
    if (combined.aborted) fire();
    else combined.addEventListener('abort', fire, { once: true });
  });
  expired.catch(() => undefined);
  const inTime = <T>(p: Promise<T>): Promise<T> => {
    p.catch(() => undefined);
    return Promise.race([p, expired]);
  };
  try {
    for (;;) {
      let res;
      try {
        if (proxy) await inTime(refuseForbiddenNames(url.hostname, Math.min(1000, policy.timeoutMs / 3)));
        res = await inTime(request(url, {
          method: 'GET',
          dispatcher: pooled.agent,
          signal: combined,
          headers: { accept: 'application/json, application/jwk-set+json;q=0.9, */*;q=0.1', 'user-agent': 'jwt-triage' },
        }));
      } catch (e) {
        throw failureOf(e);
      }
      const status = res.statusCode;
      if (status >= 300 && status < 400 && res.headers.location) {
        await inTime(res.body.dump()).catch(() => undefined);
        const loc = String(res.headers.location);
        let next: URL;
        try {
          next = new URL(loc, url);
        } catch {
          throw new SourceError('SOURCE_REDIRECT', `${url.host} redirected to an invalid location.`, { status, host: url.host });
        }
        redirects.push({ from: url.href, to: next.href, status, offHost: next.host !== first.host });
        if (redirects.length > policy.maxRedirects) {
          throw new SourceError('SOURCE_REDIRECT', `More than ${policy.maxRedirects} redirects starting at ${first.href}.`, { redirects });
        }
        url = assertFetchable(next.href, policy);
        proxy = proxyFor(url);
        pooled = await agentFor(policy, proxy);
        continue;
      }
      const chunks: Buffer[] = [];
      let bytes = 0;
      const body = res.body;
      const readBody = async () => {
        for await (const chunk of body) {
          const b = chunk as Buffer;
          bytes += b.length;
          if (bytes > policy.maxBytes) {
            body.destroy();
            throw new SourceError('SOURCE_TOO_LARGE', `${url.host} sent more than ${policy.maxBytes} bytes; the body limit is ${policy.maxBytes}.`, {
              host: url.host,
              limit_bytes: policy.maxBytes,
              status,
            });
          }
          chunks.push(b);
        }
      };
      try {
        await inTime(readBody());
      } catch (e) {
        throw failureOf(e);
      }
      // One turn of the event loop lets undici mark the connection idle, so a fetch that follows
      // at once (discovery → JWKS) reuses it instead of opening a second TLS connection.
      await new Promise((r) => setImmediate(r));
      const text = Buffer.concat(chunks).toString('utf8');
      const ct = res.headers['content-type'];
      const cc = res.headers['cache-control'];
      const result: HttpResult = {
        url: first.href,
        finalUrl: url.href,
        status,
        contentType: Array.isArray(ct) ? ct[0] : ct,
        body: text,
        bytes,
        elapsedMs: elapsed(),
        redirects,
        addresses: proxy ? [] : pooled.addressesOf(url.hostname),
        cacheControl: Array.isArray(cc) ? cc.join(', ') : cc,
        ...(proxy ? { viaProxy: proxy.display } : {}),
      };
      if (status < 200 || status >= 300) {
        throw new SourceError('SOURCE_HTTP_STATUS', `${url.href} answered HTTP ${status}.`, {
          status,
          host: url.host,
          elapsed_ms: result.elapsedMs,
          body_excerpt: text.slice(0, 200),
          redirects,
          ...via(),
        });
      }
      return result;
    }
  } finally {
    // The pooled agent stays open: the next fetch with this policy reuses its connection. A request
    // cut off by the deadline or a cancel is aborted through its own signal (its socket is destroyed).
  }
}

/**
 * One keep-alive agent per HTTP policy (timeout and extra CA) and proxy, kept for the process:
 * repeated fetches from one issuer reuse one TLS connection (through a proxy: one CONNECT tunnel).
 * Idle sockets close after 30 s and never keep the process alive (undici unrefs idle sockets).
 * Direct: the guarded lookup runs on every new connection; the addresses each host resolved to
 * are remembered for the result facts.
 */
interface PooledAgent {
  agent: Dispatcher;
  addressesOf(host: string): string[];
  /** Through a proxy: whether a CONNECT to `host:port` is still unanswered (a hung proxy). */
  connectPending(target: string): boolean;
}
const agents = new Map<string, Promise<PooledAgent>>();
const MAX_AGENTS = 8;

function agentFor(policy: HttpPolicy, proxy?: ProxyChoice): Promise<PooledAgent> {
  const key = `${policy.timeoutMs}\u0000${policy.ca ?? ''}\u0000${proxy?.key ?? 'direct'}`;
  let p = agents.get(key);
  if (!p) {
    p = undici().then((u) => (proxy ? proxiedAgent(u, policy, proxy) : directAgent(u, policy)));
    agents.set(key, p);
    if (agents.size > MAX_AGENTS) {
      const [oldest, old] = agents.entries().next().value as [string, Promise<PooledAgent>];
      agents.delete(oldest);
      void old.then((a) => a.agent.close()).catch(() => undefined);
    }
  }
  return p;
}

function directAgent({ Agent }: typeof import('undici'), policy: HttpPolicy): PooledAgent {
  const resolved = new Map<string, string[]>();
  const lookup = (hostname: string, options: object, cb: LookupCb) => {
    const seen: string[] = [];
    guardedLookup(seen)(hostname, options, (err, address, family) => {
      if (seen.length) resolved.set(hostname, [...new Set(seen)]);
      cb(err, address, family);
    });
  };
  const agent = new Agent({
    connect: { lookup, timeout: policy.timeoutMs, ...(policy.ca ? { ca: trustedWith(policy.ca) } : {}) },
    headersTimeout: policy.timeoutMs,
    bodyTimeout: policy.timeoutMs,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 60_000,
  });
  return { agent, addressesOf: (host: string) => resolved.get(host.replace(/^\[|\]$/g, '')) ?? [], connectPending: () => false };
}

/**
 * undici's ProxyAgent (CONNECT tunnel, TLS to the host inside it) with the proxy client wrapped:
 * a CONNECT answered with anything but 200, or that fails or hangs, becomes a ProxyConnectError
 * naming the status — undici would only say "Proxy response (407) !== 200" in a message.
 */
function proxiedAgent({ ProxyAgent, Pool }: typeof import('undici'), policy: HttpPolicy, proxy: ProxyChoice): PooledAgent {
  const pending = new Map<string, number>();
  const t = policy.timeoutMs;
  const agent = new ProxyAgent({
    uri: proxy.display,
    ...(proxy.token ? { token: proxy.token } : {}),
    requestTls: { timeout: t, ...(policy.ca ? { ca: trustedWith(policy.ca) } : {}) },
    proxyTls: { timeout: t },
    clientFactory: (origin: URL, opts: object) => tunnelling(new Pool(origin, { ...(opts as Pool.Options), headersTimeout: t, bodyTimeout: t }), pending, t),
    headersTimeout: t,
    bodyTimeout: t,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 60_000,
  });
  return { agent, addressesOf: () => [], connectPending: (target) => (pending.get(target) ?? 0) > 0 };
}

class ProxyConnectError extends Error {
  readonly code = 'EJWT_TRIAGE_PROXY';
  constructor(
    readonly target: string,
    readonly status: number | undefined,
    cause?: unknown,
  ) {
    super(status === undefined ? `CONNECT ${target} failed` : `CONNECT ${target} answered ${status}`, { cause });
  }
}

function tunnelling(pool: Pool, pending: Map<string, number>, timeoutMs: number): Pool {
  const connect = pool.connect.bind(pool) as (o: Dispatcher.ConnectOptions) => Promise<Dispatcher.ConnectData>;
  const wrapped = async (opts: Dispatcher.ConnectOptions): Promise<Dispatcher.ConnectData> => {
    const target = String(opts.path);
    pending.set(target, (pending.get(target) ?? 0) + 1);
    try {
      const r = await connect({ ...opts, signal: AbortSignal.timeout(timeoutMs) });
      if (r.statusCode !== 200) {
        r.socket.on('error', () => undefined).destroy();
        throw new ProxyConnectError(target, r.statusCode);
      }
      return r;
    } catch (e) {
      throw e instanceof ProxyConnectError ? e : new ProxyConnectError(target, undefined, e);
    } finally {
      const n = (pending.get(target) ?? 1) - 1;
      if (n > 0) pending.set(target, n);
      else pending.delete(target);
    }
  };
  return Object.assign(pool, { connect: wrapped });
}

/**
 * Through a proxy the name is resolved by the proxy; it is resolved here too (bounded by
 * `budgetMs`) and refused when this machine's DNS gives a forbidden address. No answer here is
 * not an error: the proxy may be the only way to resolve it.
 */
async function refuseForbiddenNames(hostname: string, budgetMs: number): Promise<void> {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return; // literal: already checked by assertFetchable
  let timer: NodeJS.Timeout | undefined;
  const answers = await Promise.race([
    dnsLookupAll(host, { all: true }).catch(() => undefined),
    new Promise<undefined>((r) => {
      timer = setTimeout(() => r(undefined), budgetMs);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
  const bad = answers?.find((a) => isForbiddenAddress(a.address));
  if (bad) {
    throw new SourceError('SOURCE_BLOCKED', `${host} resolves (in this machine's DNS) to ${bad.address}, a link-local or metadata address; it is never fetched, not even through a proxy.`, { host, address: bad.address });
  }
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_ABORTED', 'ABORT_ERR', 'ETIMEDOUT']);

/** The advice for a CONNECT status, in a few words. */
function connectAdvice(status: number, proxy: ProxyChoice, target: string): string {
  if (status === 407) return `check proxy credentials (user:password in ${proxy.from})`;
  if (status === 403) return `the proxy refuses to connect to ${target}: ask for it to be allowed, or add the host to NO_PROXY if this machine reaches it directly`;
  if (status === 502 || status === 503 || status === 504) return `the proxy could not reach ${target} from its network (the name may not resolve or the host may not answer there); this alone does not show the host is down`;
  return 'the proxy did not open the tunnel';
}

/** A failure through a proxy: the proxy's own (SOURCE_PROXY) until the tunnel stood, the host's after, with the proxy named. */
function proxiedFailure(e: unknown, url: URL, proxy: ProxyChoice, elapsedMs: number, timedOut: boolean, pooled: PooledAgent): SourceError {
  if (e instanceof SourceError) {
    e.facts.via_proxy ??= proxy.display;
    return e;
  }
  const target = url.port ? url.host : `${url.host}:${url.protocol === 'https:' ? 443 : 80}`;
  const facts = { host: url.host, via_proxy: proxy.display, proxy_env: proxy.from, elapsed_ms: elapsedMs };
  const through = `Through proxy ${proxy.display} (${proxy.from})`;
  const mk = (m: string, extra: Record<string, unknown> = {}) => new SourceError('SOURCE_PROXY', m, { ...facts, ...extra }, { cause: e });
  let pf: unknown = e;
  for (let i = 0; i < 5 && pf && !(pf instanceof ProxyConnectError); i++) pf = (pf as { cause?: unknown }).cause;
  if (pf instanceof ProxyConnectError && pf.status !== undefined) {
    return mk(`${through}: CONNECT ${target} answered ${pf.status} — ${connectAdvice(pf.status, proxy, target)}.`, { connect_status: pf.status });
  }
  const hung = `${through}: CONNECT ${target} got no answer within ${elapsedMs} ms — the proxy accepted the connection but never answered; check the proxy.`;
  if (timedOut && pooled.connectPending(target)) return mk(hung);
  if (pf instanceof ProxyConnectError) {
    const code = errCode(pf.cause);
    const name = (pf.cause as { name?: unknown } | undefined)?.name;
    if (code === 'ECONNREFUSED') return mk(`${through}: nothing listens there (connection refused) — check the proxy host and port in ${proxy.from}.`, { error_code: code });
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return mk(`${through}: the proxy's host name does not resolve (DNS ${code}) — check ${proxy.from}.`, { error_code: code });
    if ((code && TIMEOUT_CODES.has(code)) || name === 'TimeoutError') return mk(hung, { error_code: code });
    if (code === 'ECONNRESET' || code === 'EPIPE') return mk(`${through}: the proxy closed the connection before answering CONNECT ${target}.`, { error_code: code });
    return mk(`${through}: the connection to the proxy failed (${code ?? 'unknown error'}).`, { error_code: code });
  }
  const base = classifyNetworkError(e, url, elapsedMs, timedOut);
  return new SourceError(base.code, `${base.message.replace(/\.$/, '')} (through proxy ${proxy.display}).`, { ...base.facts, via_proxy: proxy.display }, { cause: e });
}

/** Closes every pooled connection (tests; a server shutting down). */
export async function closeHttpAgents(): Promise<void> {
  const all = [...agents.values()];
  agents.clear();
  await Promise.all(all.map((p) => p.then((a) => a.agent.close()).catch(() => undefined)));
}

/** GET and parse JSON; a body that is not JSON is SOURCE_NOT_JSON (with its content type). */
export async function safeGetJson(raw: string, policy?: HttpPolicy, signal?: AbortSignal): Promise<JsonResult> {
  const res = await safeGet(raw, policy, signal);
  try {
    return { ...res, json: JSON.parse(res.body) };
  } catch {
    throw new SourceError('SOURCE_NOT_JSON', `${res.finalUrl} did not return JSON (content-type ${res.contentType ?? 'none'}).`, {
      status: res.status,
      content_type: res.contentType,
      body_excerpt: res.body.slice(0, 120),
      elapsed_ms: res.elapsedMs,
    });
  }
}
