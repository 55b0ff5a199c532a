/**
 * Which proxy, if any, a fetch goes through: `https_proxy` / `HTTPS_PROXY` for https URLs,
 * `http_proxy` / `HTTP_PROXY` for plain http (only ever loopback, with the opt-in), unless
 * `no_proxy` / `NO_PROXY` matches the host. The lower-case name wins, as in curl; an empty
 * value counts as unset. `ALL_PROXY` and SOCKS proxies are not supported (a socks URL is
 * refused with SOURCE_PROXY rather than silently ignored).
 *
 * NO_PROXY follows curl (lib/noproxy.c, 8.x):
 * - a comma- or blank-separated list; `*` matches every host;
 * - a name matches itself and every subdomain (`example.com` and `.example.com` both match
 *   `example.com` and `a.example.com`, never `notexample.com`); a leading `*.` is read as `.`
 *   (curl would never match it; undici and Go strip it); trailing dots are ignored;
 * - an IP literal host matches only IP entries, compared as addresses (`::1` = `0:0::1`), with
 *   CIDR (`10.0.0.0/8`, `fd00::/8`) as curl does since 7.86; a host *name* is never resolved
 *   to compare it with an IP entry;
 * - `host:port` (and `[v6]:port`) matches only that port — curl ignores ports, undici and Go
 *   honour them: a superset;
 * - loopback is NOT special: like curl, `https://127.0.0.1/` goes through the proxy unless
 *   NO_PROXY lists it (Go's net/http bypasses localhost; curl does not).
 *
 * The proxy URL's user-info is a secret: it becomes a `Proxy-Authorization: Basic` value and is
 * never part of `display`, of a message or of a fact. A proxy URL without a scheme is http; without
 * a port, 1080 for http and 443 for https (curl's defaults).
 */
import { createHash } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { SourceError } from './errors.js';

export interface ProxyChoice {
  /** `http://host:port` — no user-info: the only form ever shown. */
  display: string;
  /** The variable it came from (`HTTPS_PROXY`, `https_proxy`, …). */
  from: string;
  /** `Basic …` when the URL carried user-info. Never shown. */
  token?: string | undefined;
  /** Distinguishes agents (display + a digest of the credentials). */
  key: string;
}

type Env = Record<string, string | undefined>;

const first = (env: Env, names: string[]): { name: string; value: string } | undefined => {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return undefined;
};

/** The proxy for a URL, or undefined for a direct connection. Throws SOURCE_PROXY for an unusable proxy setting. */
export function proxyFor(url: URL, env: Env = process.env): ProxyChoice | undefined {
  const names = url.protocol === 'https:' ? ['https_proxy', 'HTTPS_PROXY'] : url.protocol === 'http:' ? ['http_proxy', 'HTTP_PROXY'] : [];
  const set = first(env, names);
  if (!set) return undefined;
  const noProxy = first(env, ['no_proxy', 'NO_PROXY'])?.value ?? '';
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  if (noProxyMatches(url.hostname, port, noProxy)) return undefined;
  return parseProxy(set.value, set.name);
}

export function parseProxy(raw: string, from: string): ProxyChoice {
  let u: URL;
  try {
    u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    // The raw value may hold credentials: it is never echoed.
    throw new SourceError('SOURCE_PROXY', `${from} is set but is not a valid proxy URL; expected http://host:port (with user:password@ when the proxy needs it).`, { proxy_env: from });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new SourceError('SOURCE_PROXY', `${from} names a ${u.protocol.replace(/:$/, '')} proxy; jwt-triage speaks HTTP CONNECT only (an http:// or https:// proxy).`, { proxy_env: from });
  }
  const port = u.port || (u.protocol === 'http:' ? '1080' : '443');
  const display = `${u.protocol}//${u.hostname}:${port}`;
  let token: string | undefined;
  if (u.username || u.password) {
    const creds = `${safeDecode(u.username)}:${safeDecode(u.password)}`;
    token = `Basic ${Buffer.from(creds).toString('base64')}`;
  }
  const key = token ? `${display}#${createHash('sha256').update(token).digest('hex').slice(0, 16)}` : display;
  return { display, from, token, key };
}

const safeDecode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** Whether NO_PROXY (as given) exempts `hostname:port` from the proxy. */
export function noProxyMatches(hostname: string, port: number, noProxy: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  const hostIp = isIP(host) ? host.replace(/%.*$/, '') : undefined;
  for (const raw of noProxy.split(/[\s,]+/)) {
    if (!raw) continue;
    if (raw === '*') return true;
    const entry = splitPort(raw.toLowerCase());
    if (entry.port !== undefined && entry.port !== port) continue;
    if (hostIp) {
      if (ipEntryMatches(hostIp, entry.host)) return true;
      continue;
    }
    const name = entry.host.replace(/^\*?\./, '').replace(/\.$/, '');
    if (!name || isIP(name) || name.includes('/')) continue;
    if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

function splitPort(entry: string): { host: string; port?: number } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (v6) return v6[2] ? { host: v6[1]!, port: Number(v6[2]) } : { host: v6[1]! };
  if (isIP(entry.split('/')[0]!) === 6) return { host: entry }; // a bare IPv6 address or CIDR: its colons are not a port
  const m = /^(.+):(\d+)$/.exec(entry);
  return m ? { host: m[1]!, port: Number(m[2]) } : { host: entry };
}

/** An IP literal host against an IP or CIDR entry of the same family, compared as addresses (Node's BlockList). */
function ipEntryMatches(host: string, entry: string): boolean {
  const [addr, prefix] = entry.split('/') as [string, string | undefined];
  const family = isIP(addr);
  if (!family || family !== isIP(host)) return false;
  const width = family === 4 ? 32 : 128;
  const len = prefix === undefined ? width : Number(prefix);
  if (!Number.isInteger(len) || len < 0 || len > width) return false;
  const list = new BlockList();
  const type = family === 4 ? 'ipv4' : 'ipv6';
  list.addSubnet(addr, len, type);
  return list.check(host, type);
}
