/**
 * What STS AssumeRoleWithWebIdentity would answer, from gathered facts, in STS's order of
 * evaluation: request validation (token length) → token form and alg → claims STS needs
 * before any lookup (aud present, iss https — observed order) → provider lookup → keys
 * (reachability, thumbprint, kid, signature) → expiry (5-minute skew window) → audience vs the
 * provider's client ids → trust policy. The first failing stage gives the error string
 * (sts-messages.ts; `exact: false` where STS's text is not documented); a fact not gathered is
 * assumed fine and listed as an assumption.
 */
import { fail, pass, warn, type Finding } from '../finding.js';
import type { TokenFacts } from '../token/inspect.js';
import type { TrustDecision } from '../trust/evaluate.js';
import type { ProviderFacts } from './provider.js';
import { STS_MESSAGES } from './sts-messages.js';
import { audiencesOf, STS_SKEW_SECONDS, STS_TOKEN_LENGTH } from './token.js';

export type Reachability = 'reachable' | 'unreachable' | 'intermittent' | 'unknown';

export interface StsWorld {
  token: TokenFacts;
  now: Date;
  /** undefined: not gathered. `match` undefined: no provider for iss. */
  provider?: { match?: ProviderFacts | undefined; count: number } | undefined;
  keys: {
    reachability: Reachability;
    detail?: string | undefined;
    thumbprintMismatch?: boolean | undefined;
    kidServed?: boolean | undefined;
    signature?: 'valid' | 'invalid' | 'unchecked' | undefined;
    /** The token has no kid; the single key that fits its alg was used. */
    pickedWithoutKid?: boolean | undefined;
  };
  /** The token's length in characters (STS: 4..20,000), when known. */
  tokenLength?: number | undefined;
  /** STS's clock-skew window past exp (default 300 s). */
  skewSeconds?: number | undefined;
  /** undefined: trust not gathered. */
  trust?: { decision: TrustDecision; role: string } | undefined;
  acceptedAlgs: readonly string[];
}

export type Stage = 'token' | 'provider' | 'keys' | 'expiry' | 'audience' | 'trust' | 'done';

export interface StsOutcome {
  result: 'success' | 'error' | 'unknown';
  stage: Stage;
  error_code?: string;
  /** The exact string STS would return (for an error), or a sentence for success. */
  message: string;
  /** false when STS's exact text for this case is not known; the code still is. */
  exact: boolean;
  reason: string;
  assumptions: string[];
}

export function predictStsOutcome(w: StsWorld): StsOutcome {
  const assumptions: string[] = [];
  const stop = (stage: Stage, message: string, reason: string, exact = true): StsOutcome => ({ result: 'error', stage, error_code: message.split(':')[0]!, message, exact, reason, assumptions });
  const { token } = w;
  const iss = typeof token.claims.iss === 'string' ? token.claims.iss : '';

  if (w.tokenLength !== undefined && (w.tokenLength < STS_TOKEN_LENGTH.min || w.tokenLength > STS_TOKEN_LENGTH.max)) {
    return stop('token', STS_MESSAGES.tokenLength(w.tokenLength), `the token is ${w.tokenLength} characters; the WebIdentityToken parameter takes 4–20,000 (checked before any provider lookup)`, false);
  }
  if (token.form !== 'JWS') return stop('token', 'InvalidIdentityToken', `the token is ${token.form === 'JWE' ? 'encrypted (JWE)' : 'unsigned (alg none)'}; STS needs a signed JWT`, false);
  if (!w.acceptedAlgs.includes(String(token.header.alg))) return stop('token', 'InvalidIdentityToken', `alg ${String(token.header.alg)} is not accepted (${w.acceptedAlgs.join(', ')})`, false);
  // Observed STS order: a missing aud or a non-https iss is reported before the provider lookup.
  if (!audiencesOf(token.claims).length) return stop('token', STS_MESSAGES.missingAud, 'the token has no aud (STS reports it before looking up the provider)');
  if (!/^https:\/\//.test(iss)) return stop('token', 'InvalidIdentityToken', iss ? `iss "${iss}" is not an https URL; STS only federates https issuers` : 'the token has no iss', false);

  if (!w.provider) assumptions.push(`an IAM OIDC provider exists for ${iss || 'the issuer'}`);
  else if (!w.provider.match) return stop('provider', STS_MESSAGES.providerNotFound(iss), `no IAM OIDC provider URL equals "${iss.replace(/^https:\/\//, '')}" among ${w.provider.count}`);

  const k = w.keys;
  if (k.reachability === 'unreachable') return stop('keys', STS_MESSAGES.verificationKey, `discovery/JWKS not reachable as AWS fetches them: ${k.detail ?? 'unreachable'}`);
  if (k.reachability === 'intermittent') return stop('keys', STS_MESSAGES.idpCommunication, 'the IdP answers only some of the time; STS may answer IDPCommunicationError (retryable) or "Couldn\'t retrieve verification key"', false);
  if (k.thumbprintMismatch) return stop('keys', STS_MESSAGES.thumbprint, 'the IdP certificate matches none of the provider\'s thumbprints (only consulted when the chain is not from a CA AWS trusts)');
  if (k.reachability === 'unknown') assumptions.push('discovery and JWKS are publicly reachable within ~5 s');
  const noKid = typeof token.header.kid !== 'string' || token.header.kid === '';
  if (k.kidServed === false) {
    return noKid
      ? stop('keys', STS_MESSAGES.verificationKey, 'the token has no kid and the public JWKS holds no single key that fits its alg (how STS picks a key without kid is not documented)', false)
      : stop('keys', STS_MESSAGES.verificationKey, `the public JWKS does not serve kid "${String(token.header.kid ?? '')}"`);
  }
  if (k.signature === 'invalid') return stop('keys', 'InvalidIdentityToken', 'the signature does not verify with the served key', false);
  if (k.pickedWithoutKid) assumptions.push('STS uses the single JWKS key that fits the alg for a token without kid (not documented by AWS)');
  if (k.kidServed === undefined || k.signature === undefined || k.signature === 'unchecked') assumptions.push(noKid ? 'STS finds a key for this token without kid, and the signature verifies' : 'the public JWKS serves the token\'s kid and the signature verifies');

  const now = Math.floor(w.now.getTime() / 1000);
  const exp = token.claims.exp;
  if (typeof exp !== 'number') return stop('expiry', 'InvalidIdentityToken', 'the token has no exp', false);
  const skew = w.skewSeconds ?? STS_SKEW_SECONDS;
  if (exp <= now - skew) return stop('expiry', STS_MESSAGES.expired(now, exp), `exp ${new Date(exp * 1000).toISOString()} is more than ${skew} s before now ${w.now.toISOString()} (STS's clock-skew window)`);
  if (exp <= now) assumptions.push(`the token expired ${now - exp} s ago, inside STS's documented ${skew} s clock-skew window (STS's clock decides)`);

  const auds = audiencesOf(token.claims);
  if (w.provider?.match && !auds.some((a) => w.provider!.match!.clientIds.includes(a))) {
    return stop('audience', STS_MESSAGES.incorrectAudience, `aud ${JSON.stringify(auds)} vs client ids ${JSON.stringify(w.provider.match.clientIds)}`);
  }

  if (!w.trust) assumptions.push('the role\'s trust policy allows this token');
  else if (w.trust.decision === 'explicit_deny' || w.trust.decision === 'implicit_deny') {
    return stop('trust', STS_MESSAGES.accessDenied, `the trust policy of ${w.trust.role} ${w.trust.decision === 'explicit_deny' ? 'explicitly denies' : 'does not allow'} this token`);
  } else if (w.trust.decision === 'undetermined') {
    return { result: 'unknown', stage: 'trust', message: 'The trust policy uses a condition this tool cannot evaluate.', exact: false, reason: 'undetermined trust decision', assumptions };
  }
  return { result: 'success', stage: 'done', message: `Success: STS would return credentials${w.trust ? ` for ${w.trust.role}` : ''}.`, exact: true, reason: 'every stage passed', assumptions };
}

/** STS's answer for a token outside 4..20,000 characters, whatever its content (even unparseable). */
export function lengthOutcome(length: number): StsOutcome | undefined {
  if (length >= STS_TOKEN_LENGTH.min && length <= STS_TOKEN_LENGTH.max) return undefined;
  return { result: 'error', stage: 'token', error_code: 'ValidationError', message: STS_MESSAGES.tokenLength(length), exact: false, reason: `the token is ${length} characters; the WebIdentityToken parameter takes 4–20,000 (checked before any provider lookup)`, assumptions: [] };
}

export function outcomeFinding(o: StsOutcome): Finding {
  const evidence = { result: o.result, stage: o.stage, error_code: o.error_code ?? null, exact: o.exact, assumptions: o.assumptions };
  const assumed = o.assumptions.length ? ` Assumed (not gathered): ${o.assumptions.join('; ')}.` : '';
  if (o.result === 'error') {
    return fail('STS_OUTCOME', {
      title: o.exact ? `STS would answer: ${o.message}` : `STS would answer ${o.error_code} (${o.reason})`,
      detail: `Stage "${o.stage}": ${o.reason}.${o.exact ? '' : ' STS\'s exact message text for this case is not known.'}${assumed}`,
      evidence,
      fix: FIX[o.stage],
    });
  }
  if (o.result === 'unknown' || o.assumptions.length) return warn('STS_OUTCOME', { title: o.result === 'unknown' ? o.message : `${o.message} — if the assumptions hold`, detail: `${o.reason}.${assumed}`, evidence });
  return pass('STS_OUTCOME', { title: o.message, detail: 'Provider, keys, expiry, audience and trust all pass.', evidence });
}

const FIX: Record<Stage, string> = {
  token: 'Send the signed token exactly as issued (RS256/384/512 or ES256/384/512, 4–20,000 characters, with aud and an https iss).',
  provider: 'Run check_iam_oidc_provider: create the provider for the exact iss, or make --service-account-issuer equal the provider URL.',
  keys: 'Run check_public_reachability and compare_jwks: discovery and JWKS must be publicly reachable in < 5 s and serve the token\'s kid.',
  expiry: 'Use a fresh token (re-read the projected token file).',
  audience: 'Mint the token for sts.amazonaws.com, or add its aud to the provider\'s client ids.',
  trust: 'Run check_role_trust to see which statement and condition fail, then aws iam update-assume-role-policy.',
  done: '',
};
