/**
 * A token as the ALB's jwt-validation action judges it: signed JWS, RS256, kid served and
 * signature valid (when the JWKS is known), exp/nbf, iss and the aud additional claim
 * (when the rule's config is known). Any `fail` here means the ALB answers 401.
 */
import type { Finding } from '../finding.js';
import type { KeyFacts } from '../jwks/keys.js';
import { checkSignature, matchKid } from '../jwks/signature.js';
import { compareClaims, AUD_FORMATS, type AudFormat } from '../token/claims.js';
import { checkAlg, checkForm, checkKid } from '../token/header.js';
import type { TokenFacts } from '../token/inspect.js';
import { checkExpectedKind, classifyToken } from '../token/kind.js';
import { checkTokenTime } from '../token/time.js';
import { ALB_ASSUMPTIONS, audClaimOf, staleNote, type SsmJwtValues } from './alb-jwt.js';
import type { JwtValidationFact } from './facts.js';

export interface AlbTokenInput {
  raw: string;
  token: TokenFacts;
  now: Date;
  /** The rule's jwt-validation config; undefined when unknown (offline). */
  config?: JwtValidationFact | undefined;
  ssm?: SsmJwtValues | undefined;
  /** The keys served at config.jwksEndpoint; undefined when not fetched. */
  keys?: KeyFacts[] | undefined;
  skewSeconds?: number;
}

export async function judgeTokenForAlb(i: AlbTokenInput): Promise<Finding[]> {
  const { token } = i;
  const form = checkForm(token.form, token.header as Record<string, unknown>, true);
  if (form.length) return form;
  const out: Finding[] = [checkAlg(token.header as Record<string, unknown>, 'alb')];
  // The ALB's clock skew is not documented: time verdicts near the edge carry the assumption.
  out.push(...checkTokenTime(token.claims, i.now, i.skewSeconds ?? 60).map((f) => (f.status === 'fail' || f.status === 'warn' ? { ...f, detail: `${f.detail} ${ALB_ASSUMPTIONS.clockSkew}` } : f)));
  const guess = classifyToken(token.header as Record<string, unknown>, token.claims);
  if (guess.kind === 'access') out.push(checkExpectedKind(guess, 'id'));
  if (i.config) out.push(...claimFindings(token, i.config, i.ssm ?? {}));
  if (i.keys) {
    const m = matchKid(token.header, i.keys, `the JWKS at ${i.config?.jwksEndpoint ?? 'the ALB\'s JWKS endpoint'}`, 'alb');
    out.push(m.finding);
    if (m.key) out.push(await checkSignature(i.raw, token.header, m.key));
  } else {
    out.push(checkKid(token.header as Record<string, unknown>, 'alb'));
  }
  return out;
}

function claimFindings(token: TokenFacts, config: JwtValidationFact, ssm: SsmJwtValues): Finding[] {
  const aud = audClaimOf(config);
  const tokenAud = token.claims.aud;
  const audFormat = AUD_FORMATS.includes(aud?.format as AudFormat) ? (aud?.format as AudFormat) : undefined;
  const expectedAud = aud ? (aud.values.find((v) => (Array.isArray(tokenAud) ? tokenAud.includes(v) : tokenAud === v)) ?? aud.values[0]) : undefined;
  const found = compareClaims(token.claims, {
    iss: config.issuer,
    ...(expectedAud !== undefined ? { aud: expectedAud } : {}),
    ...(audFormat ? { audFormat } : {}),
  });
  return found.map((f) => {
    if (f.status !== 'fail') return f;
    const note =
      f.code === 'TOKEN_ISSUER_MISMATCH' ? staleNote(token.claims.iss, config.issuer, ssm.issuer)
        : f.code === 'TOKEN_AUDIENCE_MISMATCH' ? staleNote(tokenAud, expectedAud, ssm.cliClientId)
          : undefined;
    return note ? { ...f, detail: f.detail + note } : f;
  });
}

/** The failing findings: why the ALB answers 401 (empty when it forwards). */
export const rejections = (findings: readonly Finding[]) => findings.filter((f) => f.status === 'fail');
