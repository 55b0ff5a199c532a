/**
 * The limits a named consumer puts on a JWKS and the token it verifies.
 *  - alb: RS256 only, at most 10 keys, at most 150 KB.
 *  - sts (through the OIDC bridge): every key has kid, kty RSA, alg RS256, use sig, n, e;
 *    the set is non-empty with unique kids (the bridge refuses the whole JWKS otherwise).
 */
import { fail, pass, skip, warn, type Finding } from '../finding.js';
import type { KeyFacts } from './keys.js';

export { CONSUMERS, type Consumer } from '../token/header.js';
import type { Consumer } from '../token/header.js';

export const ALB_MAX_KEYS = 10;
export const ALB_MAX_BYTES = 150 * 1024;

const ALB_FIX = 'Serve the ALB an RS256 JWKS with at most 10 keys and under 150 KB (drop retired and non-RSA keys).';
const STS_FIX = 'Publish only RSA keys with kid, alg "RS256", use "sig", n and e (the bridge copies the cluster JWKS; check the API server\'s signing key).';

/** The JWKS limits of the consumer. `bytes` is the document's size. */
export function checkConsumerLimits(keys: KeyFacts[], bytes: number, consumer: Consumer): Finding[] {
  if (consumer === 'generic') return [skip('JWKS_CONSUMER_LIMIT', { title: 'No consumer named; consumer limits not checked' })];
  return consumer === 'alb' ? albLimits(keys, bytes) : stsLimits(keys);
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

/** What a key lacks for the bridge / STS: an empty list when it is fine. */
export function stsKeyProblems(k: KeyFacts): string[] {
  const p: string[] = [];
  if (!k.kid) p.push('no kid');
  if (k.kty !== 'RSA') p.push(`kty ${k.kty ?? 'missing'} (needs RSA)`);
  if (k.alg !== 'RS256') p.push(`alg ${k.alg ?? 'missing'} (needs RS256)`);
  if (k.use !== 'sig') p.push(`use ${k.use ?? 'missing'} (needs sig)`);
  if (k.kty === 'RSA' && (typeof k.jwk.n !== 'string' || typeof k.jwk.e !== 'string')) p.push('no n/e');
  return p;
}

function stsLimits(keys: KeyFacts[]): Finding[] {
  if (keys.length === 0) {
    return [fail('JWKS_CONSUMER_LIMIT', { title: 'The JWKS is empty; STS cannot verify any token', fix: STS_FIX })];
  }
  const bad = keys.map((k) => ({ kid: k.kid ?? `#${k.index}`, problems: stsKeyProblems(k) })).filter((b) => b.problems.length);
  if (bad.length === 0) {
    return [pass('JWKS_CONSUMER_LIMIT', { title: 'Every key meets the bridge/STS rules (kid, RSA, RS256, use sig, n, e)', evidence: { key_count: keys.length } })];
  }
  return [
    fail('JWKS_CONSUMER_LIMIT', {
      title: `${bad.length} key(s) break the bridge/STS key rules`,
      detail: bad.map((b) => `${b.kid}: ${b.problems.join(', ')}`).join('; ') + '. The bridge refuses such a JWKS (jwks_invalid).',
      evidence: { keys: bad },
      fix: STS_FIX,
    }),
  ];
}

/** ALB and STS accept RS256 tokens only. */
export function checkTokenAlgForConsumer(alg: string | undefined, consumer: Consumer): Finding[] {
  if (consumer === 'generic') return [];
  if (alg === 'RS256') return [pass('TOKEN_ALG_UNSUPPORTED', { title: `The token is RS256, which the ${consumer.toUpperCase()} accepts`, evidence: { alg } })];
  return [
    fail('TOKEN_ALG_UNSUPPORTED', {
      title: `The token is signed with ${alg ?? 'no alg'}; the ${consumer.toUpperCase()} accepts RS256 only`,
      evidence: { alg, accepted: ['RS256'] },
      fix: 'Configure the issuer to sign these tokens with an RSA key and RS256.',
    }),
  ];
}
