/**
 * The token's own sections (form, algorithm, kid, kind; time; issuer, audience, other claims)
 * and the key sections (discovery → JWKS → kid → signature → the consumer's limits), judged
 * for the verifier the preset names.
 */
import { pass, skip, type Finding } from '../checks/finding.js';
import { checkConsumerLimits, type Consumer } from '../checks/jwks/consumer.js';
import { checkSignature, matchKid } from '../checks/jwks/signature.js';
import { compareClaims } from '../checks/token/claims.js';
import { checkAlg, checkForm, checkKid } from '../checks/token/header.js';
import type { TokenFacts } from '../checks/token/inspect.js';
import { checkExpectedKind, classifyToken, kindName } from '../checks/token/kind.js';
import { checkTokenTime, describeTokenTime } from '../checks/token/time.js';
import { once, type GatherContext } from '../gather/context.js';
import { gatherIssuerKeys, judgeDiscovery } from '../gather/keys.js';
import type { Expectations, Section } from './types.js';

const CLAIM_SECTION: Record<string, string> = { TOKEN_ISSUER_MISMATCH: 'Issuer match', TOKEN_AUDIENCE_MISMATCH: 'Audience match' };

export function tokenSections(t: TokenFacts, expected: Expectations, consumer: Consumer, now: Date, skewSeconds: number): Section[] {
  const form = checkForm(t.form, t.header, true);
  if (t.form === 'JWE') return [{ label: 'Token', findings: form }];
  const guess = classifyToken(t.header, t.claims);
  const header = [...form, checkAlg(t.header, consumer), checkKid(t.header, consumer)];
  const kind = expected.kind ? [checkExpectedKind(guess, expected.kind)] : [];
  const time = describeTokenTime(t.claims, now);
  const audFormat = consumer === 'alb' ? { audFormat: expected.audFormat ?? ('single-string' as const) } : {};
  const claims = compareClaims(t.claims, { iss: expected.iss, aud: expected.aud, sub: expected.sub, ...audFormat });
  if (expected.aud !== undefined && expected.audAlso?.length) {
    // The ALB's aud claim lists several values. How it matches a list is not documented
    // (JwtValidationActionAdditionalClaim: "Values — the claim value", up to 10): any one of them
    // matching is taken as a pass, so this never blames a token that one value admits.
    const i = claims.findIndex((f) => f.code === 'TOKEN_AUDIENCE_MISMATCH');
    const admitted = expected.audAlso.map((aud) => compareClaims(t.claims, { aud, ...audFormat })[0]!).find((f) => f.status === 'pass');
    const all = [expected.aud, ...expected.audAlso];
    if (i >= 0 && claims[i]!.status !== 'pass') {
      claims[i] = admitted
        ? { ...admitted, detail: `One of the ${all.length} values the ALB lists (assumed: any one admits the token; the matching of a list is not documented).`, evidence: { ...admitted.evidence, configured: all } }
        : { ...claims[i]!, detail: `${claims[i]!.detail} None of the ${all.length} values the ALB lists matches (${all.map((v) => JSON.stringify(v)).join(', ')}).`, evidence: { ...claims[i]!.evidence, configured: all } };
    }
  }
  const byLabel = (label: string) => claims.filter((f) => (CLAIM_SECTION[f.code] ?? 'Claims') === label);
  const notExpected = (label: string, what: string) => [skip('CHECK_NOT_RUN', { title: `${label}: no expected ${what} (pass expected_${what})` })];
  const sections: Section[] = [
    { label: 'Token', line: `${t.fingerprint} · ${t.form} ${String(t.header.alg)}${t.header.kid ? ` · kid ${t.header.kid}` : ''} · ${kindName(guess.kind)}`, findings: [...header, ...kind] },
    { label: 'Token status', line: time.status_text, findings: checkTokenTime(t.claims, now, skewSeconds) },
    { label: 'Issuer match', line: expected.iss ? `iss = ${expected.iss}` : undefined, findings: expected.iss ? byLabel('Issuer match') : notExpected('Issuer match', 'issuer') },
    { label: 'Audience match', line: expected.aud ? `aud = ${expected.aud}` : undefined, findings: expected.aud ? byLabel('Audience match') : notExpected('Audience match', 'audience') },
  ];
  const other = byLabel('Claims');
  if (other.length) sections.push({ label: 'Claims', findings: other });
  return sections;
}

/**
 * The keys as the verifier finds them. For STS and the ALB, not reaching the issuer IS the
 * rejection (they fetch it themselves), so an unreachable discovery document or JWKS is a
 * failure there; elsewhere it means only that this check could not run.
 */
export async function keySection(ctx: GatherContext, raw: string, t: TokenFacts, expected: Expectations, consumer: Consumer, opts: { issuer?: string | undefined; jwksUrl?: string | undefined }): Promise<Omit<Section, 'label'>> {
  const issuer = opts.issuer ?? expected.iss ?? (typeof t.claims.iss === 'string' ? t.claims.iss : undefined);
  if (!issuer && !opts.jwksUrl) return { findings: [skip('CHECK_NOT_RUN', { title: 'No issuer to fetch keys from (the token has no iss)' })] };
  const { discovery, jwks } = await gatherIssuerKeys(ctx, { issuer, jwksUrl: opts.jwksUrl, kid: typeof t.header.kid === 'string' ? t.header.kid : undefined });
  const findings: Finding[] = [];
  if (discovery) {
    const tokenIss = typeof t.claims.iss === 'string' ? { issuer: t.claims.iss, from: 'token iss' } : undefined;
    // STS fetches discovery at the token's iss and holds the document to that: a token from another
    // issuer than expected is TOKEN_ISSUER_MISMATCH, not a fault of that issuer's own document.
    const exp = consumer === 'sts' && tokenIss ? tokenIss : expected.iss ? { issuer: expected.iss, from: `expected issuer (${expected.from})` } : tokenIss;
    const judged = judgeDiscovery(discovery, { expected: exp, consumer, allowHttpLoopback: ctx.http.allowHttpLoopback });
    findings.push(...(consumer === 'alb' ? judged.map(notReadByAlb) : judged));
  }
  if (!jwks && consumer === 'alb') findings.push(skip('CHECK_NOT_RUN', { title: 'Keys not fetched: no JWKS URL (ALB, SSM or input), and discovery gave none' }));
  if (jwks) {
    findings.push(...jwks.findings);
    if (jwks.doc) {
      const match = matchKid(t.header, jwks.keys, jwks.source, consumer);
      // Verifying needs the raw token: the result is recorded as a fact, so a replay needs no token.
      const signature = await once(ctx, `signature:${jwks.source}:${match.key?.kid ?? match.key?.thumbprint ?? '-'}`, () => checkSignature(raw, t.header, match.key));
      findings.push(match.finding, signature, ...checkConsumerLimits(jwks.keys, jwks.doc.bytes, consumer));
    }
  }
  const verifierFetches = consumer === 'sts' || consumer === 'alb';
  const judged = verifierFetches ? findings.map(asVerifierFailure) : findings;
  // How long discovery took is a finding when it matters (DISCOVERY_SLOW), not part of the line.
  const line = jwks?.doc ? `${jwks.keys.length} key(s) at ${jwks.doc.origin}` : discovery?.doc ? `discovery at ${discovery.doc.origin}` : undefined;
  return { line, findings: judged.length ? judged : [pass('JWKS_UNREACHABLE', { title: 'Keys fetched' })] };
}

/**
 * The ALB's jwt-validation is configured with a JwksEndpoint and an Issuer and fetches only the
 * JWKS (ELB user guide, "Verify JWTs using an Application Load Balancer"; the API's
 * JwtValidationActionConfig has no discovery URL): a discovery document that is down or wrong is
 * worth a warning (other clients read it), never the ALB's reason to reject.
 */
function notReadByAlb(f: Finding): Finding {
  if (f.status !== 'fail' && f.status !== 'error') return f;
  return { ...f, status: 'warn', detail: `${f.detail}${f.detail ? ' ' : ''}The ALB does not read the discovery document (it fetches its JwksEndpoint), so this is not why it rejects a token.` };
}

/** For a verifier that fetches the keys itself, "could not fetch" is its rejection, said with care. */
function asVerifierFailure(f: Finding): Finding {
  // Cancelled by our own deadline, or stopped at this machine's proxy, says nothing about the verifier: it stays could-not-check.
  if (f.status !== 'error' || (f.code !== 'DISCOVERY_UNREACHABLE' && f.code !== 'JWKS_UNREACHABLE') || f.evidence?.cancelled === true || f.evidence?.cause === 'SOURCE_PROXY') return f;
  const cause = String(f.evidence?.cause ?? '');
  const local = cause === 'SOURCE_DNS' || cause === 'SOURCE_NETWORK' || cause === 'SOURCE_REFUSED';
  return {
    ...f,
    status: 'fail',
    detail: `${f.detail} The verifier fetches this itself, so it rejects the token the same way${local ? ' — unless this machine itself lacks network access to it (no route, DNS or proxy here): then confirm from a machine that can reach the internet' : ''}.`,
  };
}
