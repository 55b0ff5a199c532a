/**
 * `exp`, `nbf` and `iat` against a clock, with a skew allowance — in plain words.
 *
 * `checkTokenTime(claims, now, skewSeconds, { requireExpiry })` → findings (TOKEN_EXPIRED,
 * TOKEN_NOT_YET_VALID, TOKEN_ISSUED_IN_FUTURE, TOKEN_NO_EXPIRY; TOKEN_MALFORMED for a
 * non-numeric time claim). Same rule as jose and the ALB: expired when `exp <= now - skew`.
 * `describeTokenTime(claims, now)` → the times as ISO dates and sentences for the output.
 */
import { fail, pass, warn, type Finding } from '../finding.js';
import { isoOf } from './inspect.js';

export type Claims = Record<string, unknown>;

export const TIME_CLAIMS = ['exp', 'nbf', 'iat', 'auth_time'] as const;

export interface TimeOptions {
  /** The consumer requires `exp` (ALB, STS): a missing one fails instead of warning. Default true. */
  requireExpiry?: boolean;
}

export function checkTokenTime(claims: Claims, now: Date, skewSeconds = 60, opts: TimeOptions = {}): Finding[] {
  const t = Math.floor(now.getTime() / 1000);
  const bad = (['exp', 'nbf', 'iat'] as const).filter((c) => claims[c] !== undefined && !isTime(claims[c]));
  if (bad.length) {
    return [fail('TOKEN_MALFORMED', {
      title: `${bad.join(', ')} ${bad.length === 1 ? 'is' : 'are'} not a number of seconds`,
      detail: 'JWT time claims are NumericDate values (seconds since 1970); no verifier accepts this token.',
      evidence: Object.fromEntries(bad.map((c) => [c, claims[c]])),
      fix: 'Fix the issuer so it writes exp/nbf/iat as JSON numbers of seconds.',
    })];
  }
  return [expiry(claims.exp as number | undefined, t, skewSeconds, opts.requireExpiry ?? true), notBefore(claims.nbf as number | undefined, t, skewSeconds), issuedAt(claims.iat as number | undefined, t, skewSeconds)];
}

function expiry(exp: number | undefined, t: number, skew: number, required: boolean): Finding {
  if (exp === undefined) {
    const init = {
      title: 'The token has no exp claim',
      detail: required ? 'AWS ALB JWT validation and STS AssumeRoleWithWebIdentity both require exp; they reject this token.' : 'Most verifiers (and AWS ALB and STS) require exp.',
      evidence: { exp: null },
      fix: 'Configure the issuer to set exp (token lifetime), then obtain a new token.',
    };
    return required ? fail('TOKEN_NO_EXPIRY', init) : warn('TOKEN_NO_EXPIRY', init);
  }
  const evidence = { exp, exp_iso: isoOf(exp), now: t, skew_seconds: skew, seconds_left: exp - t };
  if (exp <= t - skew) {
    return fail('TOKEN_EXPIRED', {
      title: `The token expired ${humanDuration(t - exp)} ago`,
      detail: `exp is ${isoOf(exp)}; now is ${isoOf(t)}, beyond the ${skew} s clock-skew allowance.`,
      evidence,
      fix: 'Get a fresh token (OpenCode: `opencode-auth login`; Kubernetes: the kubelet refreshes projected tokens — re-read the file), then retry.',
    });
  }
  if (exp <= t) {
    return warn('TOKEN_EXPIRED', {
      title: `The token expired ${humanDuration(t - exp)} ago, within the ${skew} s skew allowance`,
      detail: 'A verifier with a smaller allowance (or none) already rejects it.',
      evidence,
      fix: 'Get a fresh token before retrying.',
    });
  }
  return pass('TOKEN_EXPIRED', { title: `The token is valid for another ${humanDuration(exp - t)}`, evidence });
}

function notBefore(nbf: number | undefined, t: number, skew: number): Finding {
  if (nbf === undefined) return pass('TOKEN_NOT_YET_VALID', { title: 'No nbf claim: valid from issue', evidence: { nbf: null } });
  const evidence = { nbf, nbf_iso: isoOf(nbf), now: t, skew_seconds: skew };
  if (nbf > t + skew) {
    return fail('TOKEN_NOT_YET_VALID', {
      title: `The token becomes valid only in ${humanDuration(nbf - t)}`,
      detail: `nbf is ${isoOf(nbf)}; now is ${isoOf(t)}, beyond the ${skew} s clock-skew allowance. Either the issuer's clock or this machine's is wrong.`,
      evidence,
      fix: 'Check both clocks (`date -u` here; NTP/chrony on the issuer), then get a new token.',
    });
  }
  if (nbf > t) return warn('TOKEN_NOT_YET_VALID', { title: `nbf is ${humanDuration(nbf - t)} ahead, within the skew allowance`, detail: 'A strict verifier would reject it for now; a clock is slightly off.', evidence });
  return pass('TOKEN_NOT_YET_VALID', { title: 'nbf is in the past', evidence });
}

function issuedAt(iat: number | undefined, t: number, skew: number): Finding {
  if (iat === undefined) return pass('TOKEN_ISSUED_IN_FUTURE', { title: 'No iat claim', evidence: { iat: null } });
  const evidence = { iat, iat_iso: isoOf(iat), now: t, skew_seconds: skew };
  if (iat > t + skew) {
    return fail('TOKEN_ISSUED_IN_FUTURE', {
      title: `The token claims to be issued ${humanDuration(iat - t)} in the future`,
      detail: `iat is ${isoOf(iat)}; now is ${isoOf(t)}. The issuer's clock (or this machine's) is wrong; AWS ALB rejects such a token.`,
      evidence,
      fix: 'Check both clocks (`date -u` here; NTP/chrony on the issuer), then get a new token.',
    });
  }
  return pass('TOKEN_ISSUED_IN_FUTURE', { title: 'iat is not in the future', evidence });
}

export interface TimeDescription {
  now_iso: string;
  /** ISO dates of exp, nbf, iat, auth_time when present and numeric. */
  times: Partial<Record<(typeof TIME_CLAIMS)[number], string>>;
  /** "expired 23 minutes ago", "valid for another 41 minutes", "never expires (no exp)". */
  status_text: string;
  /** "1 hour", from nbf (else iat) to exp. */
  lifetime?: string;
  lifetime_seconds?: number;
}

export function describeTokenTime(claims: Claims, now: Date): TimeDescription {
  const t = Math.floor(now.getTime() / 1000);
  const times: TimeDescription['times'] = {};
  for (const c of TIME_CLAIMS) {
    const iso = isTime(claims[c]) ? isoOf(claims[c]) : undefined;
    if (iso) times[c] = iso;
  }
  const exp = isTime(claims.exp) ? claims.exp : undefined;
  const start = isTime(claims.nbf) ? claims.nbf : isTime(claims.iat) ? claims.iat : undefined;
  const nbf = isTime(claims.nbf) ? claims.nbf : undefined;
  // A token not yet valid is not "valid for another …": the first thing a reader needs is when it starts.
  const status_text = exp !== undefined && exp <= t ? `expired ${humanDuration(t - exp)} ago`
    : nbf !== undefined && nbf > t ? `not valid yet: valid from ${isoOf(nbf)} (in ${humanDuration(nbf - t)})`
    : exp === undefined ? 'never expires (no exp)' : `valid for another ${humanDuration(exp - t)}`;
  const out: TimeDescription = { now_iso: new Date(t * 1000).toISOString(), times, status_text };
  if (exp !== undefined && start !== undefined) {
    out.lifetime_seconds = exp - start;
    out.lifetime = exp >= start ? humanDuration(exp - start) : `negative (exp is ${humanDuration(start - exp)} before ${isTime(claims.nbf) ? 'nbf' : 'iat'})`;
  }
  return out;
}

function isTime(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

const UNITS: Array<[string, number]> = [['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]];

/** 1380 → "23 minutes"; 3600 → "1 hour"; 5400 → "1 hour 30 minutes" (two largest units, rounded down). */
export function humanDuration(seconds: number): string {
  let s = Math.max(0, Math.round(Math.abs(seconds)));
  if (s === 0) return '0 seconds';
  const parts: string[] = [];
  for (const [name, size] of UNITS) {
    if (parts.length === 2) break;
    const n = Math.floor(s / size);
    if (n === 0) {
      if (parts.length) break;
      continue;
    }
    parts.push(`${n} ${name}${n === 1 ? '' : 's'}`);
    s -= n * size;
  }
  return parts.join(' ');
}
