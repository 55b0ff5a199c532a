/**
 * The playbook: every check that can explain a rejected token, run in parallel where they
 * are independent (local claim checks alongside the discovery fetch; the JWKS as soon as its
 * URL is known), grouped into the sections of the summary, then ranked into one root cause.
 */
import type { Finding } from '../checks/finding.js';
import { fetchFailure, type SourceFailure } from '../checks/source-failure.js';
import { checkDiscovery } from '../checks/discovery.js';
import { checkConsumerLimits, type Consumer } from '../checks/jwks/consumer.js';
import { readKeySet } from '../checks/jwks/keys.js';
import { checkSignature, matchKid } from '../checks/jwks/signature.js';
import { compareClaims } from '../checks/token/claims.js';
import { checkAlg, checkForm, checkKid } from '../checks/token/header.js';
import { inspectToken, type TokenFacts } from '../checks/token/inspect.js';
import { checkExpectedKind, classifyToken, kindName, type TokenKind } from '../checks/token/kind.js';
import { checkTokenTime, describeTokenTime } from '../checks/token/time.js';
import type { HttpPolicy } from '../sources/http.js';
import { fetchDiscovery, fetchJson, type Fetched } from '../sources/oidc.js';
import { rank, type Ranked } from './rank.js';

export interface Expectations {
  iss?: string | undefined;
  aud?: string | undefined;
  sub?: string | undefined;
  kind?: TokenKind | undefined;
  /** Where the expectations came from, for the summary ("SSM /opencode/dev/oidc/*", "input"). */
  from: string;
}

export interface PlaybookInput {
  raw: string;
  expected: Expectations;
  consumer: Consumer;
  /** Issuer whose discovery document to fetch (default: expected iss, else the token's iss). */
  issuer?: string | undefined;
  /** A JWKS URL to use instead of discovery's jwks_uri. */
  jwksUrl?: string | undefined;
  skewSeconds: number;
  /** Skip every network check (token-only diagnosis). */
  offline?: boolean | undefined;
  /** Findings gathered elsewhere (AWS config, trust policy…) to rank with the rest. */
  extra?: Section[] | undefined;
}

export interface PlaybookEnv {
  now: Date;
  http: HttpPolicy;
  signal?: AbortSignal | undefined;
  progress?: ((p: number, total?: number, message?: string) => void) | undefined;
}

export interface Section {
  label: string;
  /** One line of facts for the summary ("valid for another 41 minutes"). */
  line?: string | undefined;
  findings: Finding[];
}

export interface TokenSummary {
  fingerprint: string;
  form: string;
  alg?: string | undefined;
  kid?: string | undefined;
  kind: string;
  iss?: string | undefined;
  status_text?: string | undefined;
}

export interface PlaybookResult {
  token?: TokenSummary | undefined;
  sections: Section[];
  findings: Finding[];
  ranked: Ranked;
}

function localSections(t: TokenFacts, input: PlaybookInput, now: Date): Section[] {
  const guess = classifyToken(t.header, t.claims);
  const form = checkForm(t.form, t.header, true);
  const header = [...form, checkAlg(t.header, input.consumer), checkKid(t.header, input.consumer)];
  const kind = input.expected.kind ? [checkExpectedKind(guess, input.expected.kind)] : [];
  const time = describeTokenTime(t.claims, now);
  return [
    { label: 'Token', line: `${t.fingerprint} · ${t.form} ${String(t.header.alg)}${t.header.kid ? ` · kid ${t.header.kid}` : ''} · ${kindName(guess.kind)}`, findings: [...header, ...kind] },
    { label: 'Token time', line: time.status_text, findings: checkTokenTime(t.claims, now, input.skewSeconds) },
    {
      label: 'Claims',
      line: `expected from ${input.expected.from}`,
      findings: compareClaims(t.claims, { iss: input.expected.iss, aud: input.expected.aud, sub: input.expected.sub, ...(input.consumer === 'alb' ? { audFormat: 'single-string' as const } : {}) }),
    },
  ];
}

async function discoverySection(t: TokenFacts, issuer: string, input: PlaybookInput, env: PlaybookEnv): Promise<{ section: Section; jwksUri?: string }> {
  env.progress?.(1, 3, `fetching discovery for ${issuer}`);
  try {
    const d = await fetchDiscovery(issuer, env.http, env.signal);
    const findings = checkDiscovery({
      json: d.json,
      url: d.origin,
      // What the verifier is configured with decides; without it, the token's own iss.
      expected: input.expected.iss ? { issuer: input.expected.iss, from: 'expected issuer' } : typeof t.claims.iss === 'string' ? { issuer: t.claims.iss, from: 'token iss' } : undefined,
      consumer: input.consumer,
      elapsedMs: d.elapsedMs,
      redirects: d.http?.redirects ?? [],
      allowHttpLoopback: env.http.allowHttpLoopback,
    });
    const uri = (d.json as { jwks_uri?: unknown } | null)?.jwks_uri;
    return { section: { label: 'Discovery', line: `${d.origin} answered in ${d.elapsedMs} ms`, findings }, ...(typeof uri === 'string' ? { jwksUri: uri } : {}) };
  } catch (e) {
    return { section: { label: 'Discovery', findings: [fetchFailure('DISCOVERY_UNREACHABLE', 'The discovery document', e as SourceFailure)] } };
  }
}

async function jwksSection(t: TokenFacts, raw: string, jwksUrl: string, input: PlaybookInput, env: PlaybookEnv): Promise<Section> {
  env.progress?.(2, 3, `fetching JWKS ${jwksUrl}`);
  let jwks: Fetched;
  try {
    jwks = await fetchJson(jwksUrl, env.http, env.signal, { kid: typeof t.header.kid === 'string' ? t.header.kid : undefined });
  } catch (e) {
    return { label: 'JWKS', findings: [fetchFailure('JWKS_UNREACHABLE', 'The JWKS', e as SourceFailure)] };
  }
  const set = await readKeySet(jwks.json);
  const match = matchKid(t.header, set.keys, jwksUrl);
  const signature = await checkSignature(raw, t.header, match.key);
  return {
    label: 'JWKS',
    line: `${set.keys.length} key(s) at ${jwks.origin}`,
    findings: [...set.findings, match.finding, signature, ...checkConsumerLimits(set.keys, jwks.bytes, input.consumer)],
  };
}

/** Discovery and JWKS: in parallel when the JWKS URL is known up front, else JWKS after discovery. */
async function keySections(t: TokenFacts, raw: string, input: PlaybookInput, env: PlaybookEnv): Promise<Section[]> {
  const issuer = input.issuer ?? input.expected.iss ?? (typeof t.claims.iss === 'string' ? t.claims.iss : undefined);
  if (input.jwksUrl) {
    const [d, j] = await Promise.all([issuer ? discoverySection(t, issuer, input, env) : undefined, jwksSection(t, raw, input.jwksUrl, input, env)]);
    return d ? [d.section, j] : [j];
  }
  if (!issuer) return [];
  const d = await discoverySection(t, issuer, input, env);
  return d.jwksUri ? [d.section, await jwksSection(t, raw, d.jwksUri, input, env)] : [d.section];
}

export async function runPlaybook(input: PlaybookInput, env: PlaybookEnv): Promise<PlaybookResult> {
  const inspected = inspectToken(input.raw);
  if (!inspected.ok) {
    const sections = [{ label: 'Token', findings: [inspected.finding] }, ...(input.extra ?? [])];
    const findings = sections.flatMap((s) => s.findings);
    return { sections, findings, ranked: rank(findings) };
  }
  const t = inspected.token;
  const local = t.form === 'JWE' ? [{ label: 'Token', findings: checkForm(t.form, t.header, true) }] : localSections(t, input, env.now);
  const remote = input.offline || t.form === 'JWE' ? [] : await keySections(t, input.raw, input, env);
  env.progress?.(3, 3, 'ranking findings');
  const sections = [...local, ...remote, ...(input.extra ?? [])];
  const findings = sections.flatMap((s) => s.findings);
  const time = describeTokenTime(t.claims, env.now);
  return {
    token: {
      fingerprint: t.fingerprint,
      form: t.form,
      alg: typeof t.header.alg === 'string' ? t.header.alg : undefined,
      kid: t.header.kid,
      kind: classifyToken(t.header, t.claims).kind,
      iss: typeof t.claims.iss === 'string' ? t.claims.iss : undefined,
      status_text: time.status_text,
    },
    sections,
    findings,
    ranked: rank(findings),
  };
}
