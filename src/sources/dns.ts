/**
 * A host's A and AAAA records through node:dns (c-ares, the public DNS path: /etc/hosts is not
 * consulted), each lookup with a timeout and one try. IP literals are answered without DNS.
 * Facts only; a failed lookup is reported as its error code, never thrown.
 */
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';

export interface HostAddresses {
  host: string;
  ipv4: string[] | undefined;
  ipv6: string[] | undefined;
  /** The A lookup's error code (ENOTFOUND, ENODATA, ETIMEOUT, ECANCELLED…). */
  error?: string | undefined;
}

const code = (e: unknown) => String((e as { code?: unknown })?.code ?? 'ERROR');

export async function resolveAddresses(host: string, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<HostAddresses> {
  const fam = isIP(host);
  if (fam === 4) return { host, ipv4: [host], ipv6: [] };
  if (fam === 6) return { host, ipv4: [], ipv6: [host] };
  const resolver = new Resolver({ timeout: opts.timeoutMs ?? 3000, tries: 1 });
  const onAbort = () => resolver.cancel();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const [a, aaaa] = await Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]);
    const none = (r: PromiseSettledResult<string[]>) => r.status === 'rejected' && /ENODATA|ENOTFOUND/.test(code(r.reason));
    return {
      host,
      ipv4: a.status === 'fulfilled' ? a.value : none(a) ? [] : undefined,
      ipv6: aaaa.status === 'fulfilled' ? aaaa.value : none(aaaa) ? [] : undefined,
      ...(a.status === 'rejected' && !(aaaa.status === 'fulfilled' && /ENODATA/.test(code(a.reason))) ? { error: code(a.reason) } : {}),
    };
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
