/**
 * Two key sets side by side: kids only in A, only in B, in both (same key material or not,
 * by RFC 7638 thumbprint), and — when one side is the cluster and the other the public
 * JWKS — the drift AWS rejects tokens for (JWKS_PUBLIC_CLUSTER_DRIFT).
 */
import { fail, pass, warn, type Finding } from '../finding.js';
import type { KeyFacts } from './keys.js';

export interface KeySide {
  /** Names the source: `public: https://…`, `file: ./jwks.json`, `cluster`. */
  label: string;
  cluster: boolean;
  keys: KeyFacts[];
}

export interface KidInBoth {
  kid: string;
  same_key: boolean;
}

export interface Comparison {
  only_in_a: string[];
  only_in_b: string[];
  in_both: KidInBoth[];
  findings: Finding[];
}

function byKid(keys: KeyFacts[]): Map<string, KeyFacts> {
  return new Map(keys.filter((k) => k.kid !== undefined).map((k) => [k.kid as string, k]));
}

export function compareKeySets(a: KeySide, b: KeySide): Comparison {
  const ka = byKid(a.keys);
  const kb = byKid(b.keys);
  const only_in_a = [...ka.keys()].filter((k) => !kb.has(k));
  const only_in_b = [...kb.keys()].filter((k) => !ka.has(k));
  const in_both = [...ka.keys()].filter((k) => kb.has(k)).map((kid) => ({ kid, same_key: ka.get(kid)?.thumbprint === kb.get(kid)?.thumbprint && ka.get(kid)?.thumbprint !== undefined }));
  const changed = in_both.filter((k) => !k.same_key).map((k) => k.kid);
  const findings: Finding[] = [];
  // Fresh arrays: the result holds only_in_a/only_in_b too, and output must not share references.
  const evidence = { a: a.label, b: b.label, only_in_a: [...only_in_a], only_in_b: [...only_in_b], same_kid_different_key: [...changed] };

  if (only_in_a.length === 0 && only_in_b.length === 0 && changed.length === 0) {
    findings.push(pass('JWKS_SETS_DIFFER', { title: `Both sets hold the same ${in_both.length} key(s)`, evidence }));
  } else {
    const parts = [
      only_in_a.length ? `only in ${a.label}: ${only_in_a.join(', ')}` : '',
      only_in_b.length ? `only in ${b.label}: ${only_in_b.join(', ')}` : '',
      changed.length ? `same kid, different key material: ${changed.join(', ')}` : '',
    ].filter(Boolean);
    const mk = changed.length ? fail : warn;
    findings.push(
      mk('JWKS_SETS_DIFFER', {
        title: changed.length ? `The sets publish different keys under the same kid (${changed.join(', ')})` : 'The two key sets hold different kids',
        detail: parts.join('; ') + '.',
        evidence,
        fix: changed.length
          ? 'One side serves a stale copy of a rotated key: refresh it (restart the bridge / re-fetch the JWKS) so both serve the signer\'s current key.'
          : 'If one side should mirror the other, refresh the copy; during a rotation, keep old keys until their tokens expire.',
      }),
    );
  }
  const drift = clusterDrift(a, b, only_in_a, only_in_b, changed);
  if (drift) findings.push(drift);
  return { only_in_a, only_in_b, in_both, findings };
}

function clusterDrift(a: KeySide, b: KeySide, onlyA: string[], onlyB: string[], changed: string[]): Finding | undefined {
  if (a.cluster === b.cluster) return undefined;
  const [cluster, pub, missing] = a.cluster ? [a, b, onlyA] : [b, a, onlyB];
  const bad = [...missing, ...changed];
  if (bad.length === 0) {
    return pass('JWKS_PUBLIC_CLUSTER_DRIFT', { title: `${pub.label} serves every key the cluster signs with`, evidence: { cluster_kids: cluster.keys.map((k) => k.kid ?? null) } });
  }
  return fail('JWKS_PUBLIC_CLUSTER_DRIFT', {
    title: `The cluster signs with key(s) ${pub.label} does not serve: ${bad.join(', ')}`,
    detail: 'AWS fetches the public JWKS, so it will reject tokens signed by keys it cannot see ("Couldn\'t retrieve verification key from your identity provider").',
    evidence: { missing_kids: [...missing], same_kid_different_key: [...changed], cluster: cluster.label, public: pub.label },
    fix: 'Restart the OIDC bridge so it re-copies the cluster JWKS (kubectl rollout restart deployment/<bridge>), then re-run compare_jwks.',
  });
}

/** Whether the token's kid is in each side (JWKS_KID_NOT_FOUND per side that lacks it). */
export function tokenKidInSides(kid: string | undefined, sides: KeySide[]): Finding[] {
  if (kid === undefined) return [];
  return sides.map((s) =>
    s.keys.some((k) => k.kid === kid)
      ? pass('JWKS_KID_NOT_FOUND', { title: `The token's kid ${kid} is in ${s.label}`, evidence: { kid, side: s.label } })
      : fail('JWKS_KID_NOT_FOUND', {
          title: `The token's kid ${kid} is not in ${s.label}`,
          evidence: { kid, side: s.label },
          fix: `A verifier using ${s.label} rejects this token: publish the signing key there.`,
        }),
  );
}
