/**
 * undici for the safe fetch (./http.ts) without what it never uses. undici's index.js requires
 * all of undici — fetch, WebSocket, EventSource, caches, mocks — and through them makes Node
 * compile its own internal copy of undici: about 3× the instructions of the dispatchers and the
 * `request` API alone (measured with cachegrind on Node 20: 400 M vs 130 M). This loads the
 * dispatchers from undici's own modules and binds `request` as index.js does; any other member
 * falls back to the whole package, so callers see `typeof import('undici')` either way. undici is
 * pinned (package.json); test/sources/undici.test.ts checks these paths against the package.
 */
import { createRequire } from 'node:module';

type Undici = typeof import('undici');

const requireCjs = createRequire(import.meta.url);

/** undici's modules for the members the safe fetch uses (paths inside the pinned package). */
const PARTS: Partial<Record<keyof Undici, string>> = {
  Agent: 'undici/lib/dispatcher/agent',
  Pool: 'undici/lib/dispatcher/pool',
  Client: 'undici/lib/dispatcher/client',
  ProxyAgent: 'undici/lib/dispatcher/proxy-agent',
  Dispatcher: 'undici/lib/dispatcher/dispatcher',
};

let loaded: Undici | undefined;

export function loadUndici(): Undici {
  if (loaded) return loaded;
  const full = () => requireCjs('undici') as Undici;
  // What index.js does before anything can `request`: the API methods on every dispatcher.
  const Dispatcher = requireCjs(PARTS.Dispatcher!) as { prototype: object };
  const api = requireCjs('undici/lib/api') as { request: (this: unknown, opts: object) => unknown };
  Object.assign(Dispatcher.prototype, api);
  // index.js's makeDispatcher(api.request), for the one form used here: a URL and opts.dispatcher.
  const request = (url: string | URL, opts?: { dispatcher?: unknown; path?: string; method?: string; body?: unknown }) => {
    if (!opts?.dispatcher || opts.path != null) return (full().request as (u: unknown, o: unknown) => unknown)(url, opts);
    const u = new URL(url);
    return api.request.call(opts.dispatcher, { ...opts, origin: u.origin, path: u.search ? `${u.pathname}${u.search}` : u.pathname, method: opts.method || (opts.body ? 'PUT' : 'GET') });
  };
  const parts: Record<string, unknown> = { request };
  loaded = new Proxy(parts, {
    get(target, key) {
      // Not a thenable (this object is awaited), and no symbol members.
      if (typeof key !== 'string' || key === 'then') return undefined;
      if (!(key in target)) target[key] = PARTS[key as keyof Undici] ? requireCjs(PARTS[key as keyof Undici]!) : (full() as unknown as Record<string, unknown>)[key];
      return target[key];
    },
  }) as unknown as Undici;
  return loaded;
}
