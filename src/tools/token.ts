/**
 * Token tools: decode_token, check_token_time, compare_claims. No network: the token
 * is read (file, env or inline), registered as a secret, inspected with jose, judged.
 */
import { z } from 'zod';
import { type Finding } from '../checks/finding.js';
import { compareClaims, AUD_FORMATS } from '../checks/token/claims.js';
import { checkAlg, checkForm, checkKid, CONSUMERS, headerUrls } from '../checks/token/header.js';
import { checkExpectedKind, classifyToken, kindName, TOKEN_KINDS } from '../checks/token/kind.js';
import { checkTokenTime, describeTokenTime } from '../checks/token/time.js';
import { UsageError } from '../sources/errors.js';
import { tokenInputShape } from '../sources/secret-ref.js';
import { loadToken, tokenIdent } from './token-input.js';
import { defineTool, nowInput, parseNow, resultOf, resultSchema } from './define.js';

const tokenOut = {
  token_fingerprint: z.string().describe('sha256: + 12 hex of the token: how the token is named.'),
  token_source: z.string().describe('Where the token came from: file:<path>, env:<NAME> or inline.'),
};
const consumerInput = z.enum(CONSUMERS).optional().describe('Who must accept the token: alb (AWS ALB JWT validation) and bridge (the OIDC bridge) accept RS256 only and require kid; sts (AssumeRoleWithWebIdentity) accepts RS/ES 256/384/512 and warns on a missing kid; all three require exp; generic.');
const timesOut = z.record(z.string(), z.string()).optional().describe('exp, nbf, iat, auth_time as ISO 8601 dates.');




const decodeToken = defineTool({
  name: 'decode_token',
  toolsets: ['default', 'token'],
  title: 'Decode a JWT',
  description:
    'Decode a JWT without verifying it: protected header, claims (times also as ISO dates), form (JWS, JWE, unsecured alg none) and what kind of token it looks like (OIDC ID token, OAuth/Cognito access token, Kubernetes service-account token) with the reason. ' +
    'Use first when a request with a Bearer token gets 401/403. Set expected_kind to catch an access token sent where an ID token is needed (the OpenCode ALB needs the Cognito ID token), consumer to check the algorithm (ALB/bridge: RS256; STS: RS/ES 256/384/512). ' +
    'Never returns the signature or the raw token. Prefer token_file or token_env.',
  input: () => z.object({
    ...tokenInputShape,
    expected_kind: z.enum(TOKEN_KINDS).optional().describe('The kind the consumer needs: id (OIDC ID token; the OpenCode ALB), access, or service_account (STS web identity from Kubernetes).'),
    consumer: consumerInput,
  }),
  output: () => resultSchema({
    ...tokenOut,
    form: z.enum(['JWS', 'JWE', 'unsecured']).optional(),
    header: z.record(z.string(), z.unknown()).optional().describe('The protected header (alg, kid, typ…).'),
    claims: z.record(z.string(), z.unknown()).optional().describe('The payload claims (empty for a JWE).'),
    times: timesOut,
    kind: z.enum([...TOKEN_KINDS, 'unknown']).optional(),
    kind_reasons: z.array(z.string()).optional(),
    header_urls: z.array(z.object({ member: z.enum(['jku', 'x5u']), url: z.string() })).optional().describe('jku/x5u header members: listed, never fetched.'),
  }),
  type: 'readOnly',
  network: false,
  cli: { command: 'decode', summary: 'Decode a JWT: header, claims, form and kind (never the signature)', examples: ['jwt-triage decode --token-file ~/.opencode/id_token', 'jwt-triage decode --token-env TOKEN --expected-kind id --consumer alb'] },
  async handle(input, ctx) {
    const t = await loadToken(input, ctx);
    const ident = { ...tokenIdent(t) };
    if (!t.facts) return { ...resultOf([t.malformed as Finding], ''), ...ident };
    const { form, header, claims } = t.facts;
    const strict = input.consumer === 'alb' || input.consumer === 'sts' || input.consumer === 'bridge';
    const guess = form === 'JWE' ? { kind: 'unknown' as const, reasons: ['encrypted: claims unreadable'] } : classifyToken(header, claims);
    const findings: Finding[] = [...checkForm(form, header, strict)];
    if (input.consumer && form !== 'JWE') findings.push(checkAlg(header, input.consumer));
    if (form === 'JWS') findings.push(checkKid(header, input.consumer));
    if (input.expected_kind && form !== 'JWE') findings.push(checkExpectedKind(guess, input.expected_kind));
    const time = describeTokenTime(claims, ctx.now);
    const ok = `A ${form} (${String(header.alg)}${header.kid ? `, kid ${String(header.kid)}` : ''}) that looks like ${kindName(guess.kind)}; ${time.status_text}.`;
    return { ...resultOf(findings, ok), ...ident, form, header, claims, times: time.times, kind: guess.kind, kind_reasons: [...guess.reasons], header_urls: headerUrls(header) };
  },
  text: (o) => [
    ...(o.form ? [`form: ${o.form}  alg: ${String(o.header?.alg)}  kid: ${String(o.header?.kid ?? '(none)')}  typ: ${String(o.header?.typ ?? '(none)')}`] : []),
    ...(o.kind ? [`kind: ${o.kind} (${(o.kind_reasons ?? []).join('; ')})`] : []),
    ...Object.entries(o.claims ?? {}).map(([k, v]) => `  ${k}: ${clip(JSON.stringify(v))}${o.times?.[k] ? `  (${o.times[k]})` : ''}`),
    ...(o.header_urls ?? []).map((u) => `header ${u.member}: ${u.url} (not fetched)`),
    `token: ${o.token_fingerprint} from ${o.token_source}`,
  ],
});

const checkTime = defineTool({
  name: 'check_token_time',
  toolsets: ['token'],
  title: 'Check a JWT\'s exp / nbf / iat',
  description:
    'Check a JWT\'s time claims (exp, nbf, iat) against now with a clock-skew allowance, in plain words: "expired 23 minutes ago", "valid for another 41 minutes", total lifetime. ' +
    'Use when a token is rejected as expired or not yet valid, or to rule time out. Pass now (ISO or epoch seconds) to evaluate at another instant. Never returns the raw token.',
  input: () => z.object({
    ...tokenInputShape,
    now: nowInput,
    skew_seconds: z.number().int().min(0).max(86400).default(60).describe('Clock-skew allowance in seconds (default 60).'),
    consumer: consumerInput,
  }),
  output: () => resultSchema({
    ...tokenOut,
    now: z.string().optional().describe('The instant evaluated, ISO 8601.'),
    skew_seconds: z.number(),
    times: timesOut,
    status_text: z.string().optional().describe('"expired 23 minutes ago", "valid for another 41 minutes" or "never expires (no exp)".'),
    lifetime: z.string().optional().describe('Total lifetime in words (nbf or iat to exp), e.g. "1 hour".'),
    lifetime_seconds: z.number().optional(),
  }),
  type: 'readOnly',
  network: false,
  cli: { command: 'time', summary: 'Check exp / nbf / iat against now, in plain words', examples: ['jwt-triage time --token-file token.jwt', 'jwt-triage time --token-env TOKEN --now 2026-09-21T12:00:00Z --skew-seconds 0'] },
  async handle(input, ctx) {
    const now = parseNow(input.now, ctx.now);
    const t = await loadToken(input, ctx);
    const ident = { ...tokenIdent(t), skew_seconds: input.skew_seconds };
    if (!t.facts) return { ...resultOf([t.malformed as Finding], ''), ...ident };
    if (t.facts.form === 'JWE') return { ...resultOf(checkForm('JWE', t.facts.header, true), ''), ...ident };
    const required = input.consumer === 'alb' || input.consumer === 'sts' || input.consumer === 'bridge';
    const findings = [...checkForm(t.facts.form, t.facts.header, true), ...checkTokenTime(t.facts.claims, now, input.skew_seconds, { requireExpiry: required })];
    const d = describeTokenTime(t.facts.claims, now);
    const ok = `The token is ${d.status_text}${d.lifetime ? ` (lifetime ${d.lifetime})` : ''}; nbf and iat are fine.`;
    return { ...resultOf(findings, ok), ...ident, now: d.now_iso, times: d.times, status_text: d.status_text, lifetime: d.lifetime, lifetime_seconds: d.lifetime_seconds };
  },
  text: (o) => [
    ...(o.status_text ? [`${o.status_text}${o.lifetime ? `; lifetime ${o.lifetime}` : ''} (now ${o.now}, skew ${o.skew_seconds} s)`] : []),
    ...Object.entries(o.times ?? {}).map(([k, v]) => `  ${k}: ${v}`),
  ],
});

const compare = defineTool({
  name: 'compare_claims',
  toolsets: ['token'],
  title: 'Compare a JWT\'s claims with expected values',
  description:
    'Compare a JWT\'s iss, aud (string or array), sub and any named claims with the values a verifier expects (ALB jwt-validation config, IAM OIDC provider, role trust policy). Exact match; when they differ it says how: trailing slash, http vs https, case, whitespace, host vs path, a near-miss spelling (sts.amazon.com vs sts.amazonaws.com), array vs string (aud_format single-string, as the ALB uses). ' +
    'Use when a token is rejected for its issuer or audience. Never returns the raw token.',
  input: () => z.object({
    ...tokenInputShape,
    expected_issuer: z.string().optional().describe('The issuer the verifier expects, e.g. https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC.'),
    expected_audience: z.string().optional().describe('The audience the verifier expects (OpenCode ALB: the CLI client id; STS: sts.amazonaws.com).'),
    expected_subject: z.string().optional().describe('The subject expected, e.g. system:serviceaccount:<namespace>:<name>.'),
    expected_claims: z.record(z.string(), z.unknown()).optional().describe('Other claims as name → expected value, e.g. {"token_use": "id"}.'),
    aud_format: z.enum(AUD_FORMATS).optional().describe('How the verifier reads aud (ALB claim Format): single-string requires a JSON string, not an array.'),
  }),
  output: () => resultSchema({ ...tokenOut, compared: z.array(z.string()).describe('The claims compared.') }),
  type: 'readOnly',
  network: false,
  cli: { command: 'claims', summary: 'Compare iss / aud / sub / named claims with expected values; say how they differ', examples: ['jwt-triage claims --token-file token.jwt --expected-issuer https://issuer.example.com --expected-audience sts.amazonaws.com', `jwt-triage claims --token-env TOKEN --expected-audience <cli-client-id> --aud-format single-string --expected-claims '{"token_use":"id"}'`] },
  async handle(input, ctx) {
    const expected = { iss: input.expected_issuer, aud: input.expected_audience, sub: input.expected_subject, claims: input.expected_claims, audFormat: input.aud_format };
    const compared = [...(['iss', 'aud', 'sub'] as const).filter((c) => expected[c] !== undefined), ...Object.keys(input.expected_claims ?? {})];
    if (compared.length === 0) throw new UsageError('Nothing to compare.', 'Pass at least one of expected_issuer, expected_audience, expected_subject, expected_claims.');
    const t = await loadToken(input, ctx);
    const ident = { ...tokenIdent(t), compared };
    if (!t.facts) return { ...resultOf([t.malformed as Finding], ''), ...ident };
    const findings = [...checkForm(t.facts.form, t.facts.header, true)];
    if (t.facts.form !== 'JWE') findings.push(...compareClaims(t.facts.claims, expected));
    return { ...resultOf(findings, `All ${compared.length} compared claim${compared.length === 1 ? '' : 's'} (${compared.join(', ')}) match exactly.`), ...ident };
  },
});

function clip(s: string, max = 120): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

export default [decodeToken, checkTime, compare];
