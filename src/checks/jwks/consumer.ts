/**
 * The limits a named consumer puts on a JWKS and the token it verifies.
 *  - alb: RS256 only, at most 10 keys, at most 150 KB.
 *  - bridge (the k8s-aws-oidc bridge copying the cluster JWKS): every key has kid, kty RSA,
 *    alg RS256, use sig, n, e; the set is non-empty with unique kids (the bridge refuses the
 *    whole JWKS otherwise).
 *  - sts: a non-empty set holding RSA or EC (P-256/384/521) keys — the key types behind the
 *    six algorithms the STS API reference lists for WebIdentityToken. STS documents no
 *    kid/use/alg requirement on the keys; other key types simply never verify.
 */
import { fail, pass, skip, warn, type Finding } from '../finding.js';
import type { KeyFacts } from './keys.js';

export { CONSUMERS, type Consumer } from '../token/header.js';
import { CONSUMER_ALGS, CONSUMER_NAME, type Consumer } from '../token/header.js';

export const ALB_MAX_KEYS = 10;
export const ALB_MAX_BYTES = 150 * 1024;

const ALB_FIX = 'Serve the ALB an RS256 JWKS with at most 10 keys and under 150 KB (drop retired and non-RSA keys).';
const BRIDGE_FIX = 'Publish only RSA keys with kid, alg "RS256", use "sig", n and e (the bridge copies the cluster JWKS; check the API server\'s signing key).';
const STS_FIX = 'Serve the signing key as an RSA or EC (P-256/384/521) public key: STS verifies RS256/384/512 and ES256/384/512 only.';

/** The JWKS limits of the consumer. `bytes` is the document's size. */
export function checkConsumerLimits(keys: KeyFacts[], bytes: number, consumer: Consumer): Finding[] {
  if (consumer === 'generic') return [skip('JWKS_CONSUMER_LIMIT', { title: 'No consumer named; consumer limits not checked' })];
  if (consumer === 'alb') return albLimits(keys, bytes);
  return consumer === 'bridge' ? bridgeLimits(keys) : stsLimits(keys);
}

const STS_CURVES = ['P-256', 'P-384', 'P-521'];

/** STS: the set must hold at least one key of a type behind RS256..512 / ES256..512. */
function stsLimits(keys: KeyFacts[]): Finding[] {
  if (keys.length === 0) return [fail('JWKS_CONSUMER_LIMIT', { title: 'The JWKS is empty; STS cannot verify any token', fix: STS_FIX })];
  const fits = (k: KeyFacts) => (k.kty === 'RSA' || (k.kty === 'EC' && STS_CURVES.includes(k.crv ?? ''))) && (k.alg === undefined || CONSUMER_ALGS.sts.includes(k.alg));
  const unusable = keys.filter((k) => !fits(k));
  if (unusable.length === keys.length) {
    return [fail('JWKS_CONSUMER_LIMIT', { title: 'No key in the JWKS is one STS can verify with (RSA or EC P-256/384/521)', detail: `Keys: ${keys.map((k) => `${k.kid ?? `#${k.index}`} (${k.kty ?? '?'}${k.crv ? ` ${k.crv}` : ''}${k.alg ? ` ${k.alg}` : ''})`).join(', ')}.`, evidence: { key_count: keys.length }, fix: STS_FIX })];
  }
  if (unusable.length) {
    return [warn('JWKS_CONSUMER_LIMIT', { title: `${unusable.length} key(s) cannot be used by STS`, detail: `${unusable.map((k) => k.kid ?? `#${k.index}`).join(', ')}: not RSA or EC P-256/384/521 (or an alg STS does not accept). Tokens signed by them are rejected.`, evidence: { kids: unusable.map((k) => k.kid ?? null) }, fix: STS_FIX })];
  }
  return [pass('JWKS_CONSUMER_LIMIT', { title: 'Every key is one STS can verify with (RSA or EC; RS/ES 256/384/512)', evidence: { key_count: keys.length } })];
}

function albLimits(keys: KeyFacts[], bytes: number): Finding[] {
  const out: Finding[] = [];
  if (keys.length > ALB_MAX_KEYS) {
    out.push(fail('JWKS_CONSUMER_LIMIT', { title: `The JWKS has ${keys.length} keys; the ALB accepts at most ${ALB_MAX_KEYS}`, evidence: { key_count: keys.length, limit: ALB_MAX_KEYS }, fix: ALB_FIX }));
  }
  if (bytes > ALB_MAX_BYTES) {
    out.push(fail('JWKS_CONSUMER_LIMIT', { title: `The JWKS is ${bytes} bytes; the ALB accepts at most 150 KB`, evidence: { bytes, limit_bytes: ALB_MAX_BYTES }, fix: ALB_FIX }));
  }
  const notRs256 = keys.filter((k) => k.kty !== 'RSA' || (k.alg !== undefined && k.alg !== 'RS256'));
  if (notRs256.length) {
    out.push(
      warn('JWKS_CONSUMER_LIMIT', {
        title: `${notRs256.length} key(s) cannot be used by the ALB (RS256 only)`,
        detail: `The ALB verifies RS256 only; ${notRs256.map((k) => `${k.kid ?? `#${k.index}`} (${k.kty ?? '?'}${k.alg ? ` ${k.alg}` : ''})`).join(', ')} can never verify a token it accepts.`,
        evidence: { kids: notRs256.map((k) => k.kid ?? null) },
        fix: ALB_FIX,
      }),
    );
  }
  return out.length ? out : [pass('JWKS_CONSUMER_LIMIT', { title: 'The JWKS is within the ALB limits (RS256, ≤ 10 keys, ≤ 150 KB)', evidence: { key_count: keys.length, bytes } })];
}

/** What a key lacks for the OIDC bridge: an empty list when it is fine. */
export function bridgeKeyProblems(k: KeyFacts): string[] {
  const p: string[] = [];
  if (!k.kid) p.push('no kid');
  if (k.kty !== 'RSA') p.push(`kty ${k.kty ?? 'missing'} (needs RSA)`);
  if (k.alg !== 'RS256') p.push(`alg ${k.alg ?? 'missing'} (needs RS256)`);
  if (k.use !== 'sig') p.push(`use ${k.use ?? 'missing'} (needs sig)`);
  if (k.kty === 'RSA' && (typeof k.jwk.n !== 'string' || typeof k.jwk.e !== 'string')) p.push('no n/e');
  return p;
}

function bridgeLimits(keys: KeyFacts[]): Finding[] {
  if (keys.length === 0) {
    return [fail('JWKS_CONSUMER_LIMIT', { title: 'The JWKS is empty; the bridge refuses it and STS cannot verify any token', fix: BRIDGE_FIX })];
  }
  const bad = keys.map((k) => ({ kid: k.kid ?? `#${k.index}`, problems: bridgeKeyProblems(k) })).filter((b) => b.problems.length);
  if (bad.length === 0) {
    return [pass('JWKS_CONSUMER_LIMIT', { title: 'Every key meets the bridge\'s rules (kid, RSA, RS256, use sig, n, e)', evidence: { key_count: keys.length } })];
  }
  return [
    fail('JWKS_CONSUMER_LIMIT', {
      title: `${bad.length} key(s) break the bridge's key rules`,
      detail: bad.map((b) => `${b.kid}: ${b.problems.join(', ')}`).join('; ') + '. The bridge refuses such a JWKS (jwks_invalid). These are the bridge\'s rules, not STS\'s: STS itself also accepts ES256/384/512 and keys without kid.',
      evidence: { keys: bad },
      fix: BRIDGE_FIX,
    }),
  ];
}

/** The token's alg against what the consumer accepts (ALB and bridge: RS256; STS: RS/ES 256/384/512). */
export function checkTokenAlgForConsumer(alg: string | undefined, consumer: Consumer): Finding[] {
  if (consumer === 'generic') return [];
  const accepted = CONSUMER_ALGS[consumer];
  if (alg !== undefined && accepted.includes(alg)) return [pass('TOKEN_ALG_UNSUPPORTED', { title: `The token is ${alg}, which ${CONSUMER_NAME[consumer]} accepts`, evidence: { alg } })];
  return [
    fail('TOKEN_ALG_UNSUPPORTED', {
      title: `The token is signed with ${alg ?? 'no alg'}; ${CONSUMER_NAME[consumer]} accepts ${accepted.join(', ')} only`,
      evidence: { alg, accepted: [...accepted] },
      fix: consumer === 'sts' ? 'Sign with RS256/384/512 or ES256/384/512.' : 'Configure the issuer to sign these tokens with an RSA key and RS256.',
    }),
  ];
}
