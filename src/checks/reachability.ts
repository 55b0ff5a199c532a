/**
 * The AWS's-eye view of an issuer, as pure judgement: where its host resolves (a Tailscale
 * address means this machine reaches it through the tailnet, which AWS cannot), and what a
 * private-CA failure means for STS.
 */
import { isIP } from 'node:net';
import { pass, skip, warn, type Finding } from './finding.js';

export type AddressClass = 'tailnet' | 'loopback' | 'private' | 'link_local' | 'public' | 'invalid';

function v4(a: string): number[] {
  return a.split('.').map(Number);
}

/** Expands an IPv6 address to 8 groups of 16 bits. */
function v6(a: string): number[] {
  const [head, tail] = a.includes('::') ? (a.split('::') as [string, string]) : [a, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.map((g) => parseInt(g || '0', 16));
}

/** Classifies one IP address. Tailscale: 100.64.0.0/10 (CGNAT) and fd7a:115c:a1e0::/48. */
export function classifyAddress(raw: string): AddressClass {
  const a = raw.toLowerCase().replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIP(a) === 4) {
    const [x = 0, y = 0] = v4(a);
    if (x === 100 && y >= 64 && y <= 127) return 'tailnet';
    if (x === 127) return 'loopback';
    if (x === 169 && y === 254) return 'link_local';
    if (x === 10 || (x === 172 && y >= 16 && y <= 31) || (x === 192 && y === 168)) return 'private';
    return 'public';
  }
  if (isIP(a) === 6) {
    if (a.startsWith('::ffff:') && isIP(a.slice(7)) === 4) return classifyAddress(a.slice(7));
    const g = v6(a);
    if (g[0] === 0xfd7a && g[1] === 0x115c && g[2] === 0xa1e0) return 'tailnet';
    if (g.every((x, i) => x === (i === 7 ? 1 : 0))) return 'loopback';
    if (((g[0] ?? 0) & 0xffc0) === 0xfe80) return 'link_local';
    if (((g[0] ?? 0) & 0xfe00) === 0xfc00) return 'private';
    return 'public';
  }
  return 'invalid';
}

/** REACHABILITY_TAILNET_ONLY: does this machine reach the issuer host through the tailnet? */
export function checkTailnet(host: string, addresses: string[]): Finding {
  const classes = addresses.map((a) => ({ address: a, class: classifyAddress(a) }));
  const evidence = { host, addresses: classes };
  if (classes.length === 0) return skip('REACHABILITY_TAILNET_ONLY', { title: `No resolved address for ${host} to classify`, evidence });
  const tailnet = classes.filter((c) => c.class === 'tailnet');
  if (tailnet.length === 0) return pass('REACHABILITY_TAILNET_ONLY', { title: `${host} resolves to non-Tailscale address(es)`, evidence });
  return warn('REACHABILITY_TAILNET_ONLY', {
    title: `${host} resolves to a Tailscale address (${tailnet[0]!.address}) from this machine`,
    detail: 'This machine reaches the issuer through the tailnet (MagicDNS), not through Funnel, so a success here does not prove AWS can fetch it. AWS resolves the public name and connects over the internet.',
    evidence,
    fix: `Fetch from a network outside the tailnet, e.g. in AWS CloudShell: curl -sS -m 5 https://${host}/.well-known/openid-configuration`,
  });
}

/** Why a TLS trust failure matters for STS (appended to the fetch failure's detail). */
export const PRIVATE_CA_NOTE =
  'AWS trusts public certificate authorities only, so STS fails the same way ("Couldn\'t retrieve verification key from your identity provider").';
