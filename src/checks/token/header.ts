/**
 * Judgements on a token's form and protected header: unsecured or encrypted tokens
 * (TOKEN_UNSECURED, TOKEN_ENCRYPTED), the algorithm a consumer accepts
 * (TOKEN_ALG_UNSUPPORTED), a missing `kid` (TOKEN_KID_MISSING), and the URL members
 * `jku` / `x5u` — reported, never fetched.
 */
import { fail, pass, warn, type Finding } from '../finding.js';
import type { TokenForm } from './inspect.js';

export const CONSUMERS = ['alb', 'sts', 'bridge', 'generic'] as const;
export type Consumer = (typeof CONSUMERS)[number];

export const CONSUMER_NAME: Record<Consumer, string> = { alb: 'AWS ALB JWT validation', sts: 'STS AssumeRoleWithWebIdentity', bridge: 'the OIDC bridge', generic: 'a generic verifier' };

/**
 * Algorithms each consumer accepts; `generic` = every JWS algorithm jose verifies.
 * - alb: RS256 only (ELB user guide, "Verify JWTs using an Application Load Balancer").
 * - sts: "Tokens must be signed using either RSA keys (RS256, RS384, or RS512) or ECDSA keys
 *   (ES256, ES384, or ES512)" — the STS API reference, AssumeRoleWithWebIdentity
 *   WebIdentityToken (also in @aws-sdk/client-sts models_0.d.ts).
 * - bridge: the k8s-aws-oidc bridge accepts only RS256 keys in the cluster JWKS it republishes.
 */
export const CONSUMER_ALGS: Record<Consumer, readonly string[]> = {
  alb: ['RS256'],
  sts: ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'],
  bridge: ['RS256'],
  generic: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519', 'HS256', 'HS384', 'HS512'],
};

type Header = Record<string, unknown>;

/**
 * TOKEN_UNSECURED / TOKEN_ENCRYPTED for tokens no consumer here verifies; nothing for a JWS.
 * `strict`: the caller needs the claims or a signed token (ALB, STS, a claim/time check), so a
 * JWE fails instead of warning.
 */
export function checkForm(form: TokenForm, header: Header, strict = false): Finding[] {
  if (form === 'unsecured') {
    return [fail('TOKEN_UNSECURED', {
      title: 'The token is unsecured (alg "none"): it has no signature',
      detail: 'No verifier (AWS ALB, STS, any OIDC library) accepts an unsigned token.',
      evidence: { alg: header.alg },
      fix: 'Send the signed token the identity provider issued (e.g. the id_token from `opencode-auth login`), not a hand-built one.',
    })];
  }
  if (form === 'JWE') {
    const init = {
      title: 'The token is encrypted (JWE); its claims cannot be read here',
      detail: 'Only the recipient holding the decryption key can read it; AWS ALB and STS accept only signed JWTs (JWS, 3 parts).',
      evidence: { alg: header.alg, enc: header.enc, parts: 5 },
      fix: 'Send the signed ID token (3 dot-separated parts), or configure the identity provider not to encrypt tokens for this client.',
    };
    return [strict ? fail('TOKEN_ENCRYPTED', init) : warn('TOKEN_ENCRYPTED', init)];
  }
  return [];
}

export function checkAlg(header: Header, consumer: Consumer): Finding {
  const alg = String(header.alg);
  const accepted = CONSUMER_ALGS[consumer];
  const evidence = { alg, consumer, accepted: [...accepted] };
  if (accepted.includes(alg)) return pass('TOKEN_ALG_UNSUPPORTED', { title: `${alg} is accepted by ${CONSUMER_NAME[consumer]}`, evidence });
  return fail('TOKEN_ALG_UNSUPPORTED', {
    title: `${CONSUMER_NAME[consumer]} does not accept alg ${alg}`,
    detail: `It accepts ${accepted.join(', ')} only; a token signed with ${alg} is rejected before any claim is checked.`,
    evidence,
    fix: consumer === 'generic'
      ? 'Sign with a registered JWS algorithm (RS256 is the safest choice).'
      : consumer === 'sts'
        ? 'Configure the issuer to sign with RS256/384/512 or ES256/384/512 (STS accepts those six).'
        : 'Configure the issuer to sign with an RSA key and RS256 (Kubernetes: an RSA service-account signing key; Cognito always uses RS256).',
  });
}

/** Consumers that refuse a token without `kid` outright (the ALB and the bridge); STS and generic verifiers may still match a single key. */
export const KID_REQUIRED: Record<Consumer, boolean> = { alb: true, bridge: true, sts: false, generic: false };

/** Why a missing kid matters, in the consumer's own terms. */
export function missingKidDetail(consumer: Consumer | undefined, keyCount?: number): string {
  const keys = keyCount === undefined ? '' : ` (the set holds ${keyCount} key(s))`;
  switch (consumer) {
    case 'alb':
      return `AWS ALB JWT validation picks the verification key by kid; it rejects a token without one${keys}.`;
    case 'bridge':
      return `The OIDC bridge requires a kid on every key and AWS looks the token's kid up in the bridge's JWKS; a token without one is rejected${keys}.`;
    case 'sts':
      // Not documented by AWS: STS's key selection without kid. Labelled an assumption.
      return `STS can still match a JWKS key without a kid (assumption: not documented by AWS; it likely tries a key that fits the alg). If it cannot, it answers "Couldn't retrieve verification key from your identity provider"${keys}.`;
    default:
      return `A verifier without a kid can only use a key that fits the algorithm; with several such keys it cannot choose${keys}.`;
  }
}

export function checkKid(header: Header, consumer?: Consumer): Finding {
  const kid = header.kid;
  if (typeof kid === 'string' && kid.length > 0) return pass('TOKEN_KID_MISSING', { title: `The header names key "${kid}"`, evidence: { kid } });
  const strict = consumer !== undefined && KID_REQUIRED[consumer];
  const init = {
    title: strict ? `The protected header has no kid; ${CONSUMER_NAME[consumer!]} rejects the token` : 'The protected header has no kid',
    detail: missingKidDetail(consumer),
    evidence: { kid: kid ?? null, consumer: consumer ?? 'generic' },
    fix: 'Configure the issuer to put the signing key\'s kid in the header (and serve that kid in its JWKS).',
  };
  return strict ? fail('TOKEN_KID_MISSING', init) : warn('TOKEN_KID_MISSING', init);
}

export interface HeaderUrl {
  member: 'jku' | 'x5u';
  url: string;
}

/** `jku` / `x5u` URLs in the header: listed so the user sees them; this tool never fetches them. */
export function headerUrls(header: Header): HeaderUrl[] {
  return (['jku', 'x5u'] as const).filter((m) => header[m] !== undefined).map((m) => ({ member: m, url: String(header[m]) }));
}
