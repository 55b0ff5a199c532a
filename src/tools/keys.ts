/**
 * Key tools: check_discovery, check_jwks, compare_jwks. Sources (safe fetch, files,
 * kubectl) → checks (discovery, jwks/*) → result. A key set is never fetched from a URL
 * found in the token header (`jku`, `x5u`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { checkAttempts, checkDiscovery, latency } from '../checks/discovery.js';
import { fail, skip, type Finding } from '../checks/finding.js';
import { CONSUMERS, checkConsumerLimits, checkTokenAlgForConsumer, type Consumer } from '../checks/jwks/consumer.js';
import { compareKeySets, tokenKidInSides, type KeySide } from '../checks/jwks/compare.js';
import { readKeySet, type KeyFacts } from '../checks/jwks/keys.js';
import { checkSignature, matchKid } from '../checks/jwks/signature.js';
import { fetchFailure } from '../checks/source-failure.js';
import { type TokenFacts } from '../checks/token/inspect.js';
import { UsageError } from '../sources/errors.js';
import { discoveryUrl, fetchDiscovery, readJsonFile, type Fetched } from '../sources/oidc.js';
import { gatherDiscovery, gatherJwks, judgeDiscovery } from '../gather/keys.js';
import { tokenInputShape } from '../sources/secret-ref.js';
import { loadOptionalToken, type LoadedToken } from './token-input.js';
import { defineTool, resultOf, resultSchema, type ToolContext } from './define.js';
import { kubeContext, kubeconfigPath } from './k8s-inputs.js';
import { asFailure, inputError } from '../gather/failure.js';
import type { SourceFailure } from '../checks/source-failure.js';

// ── shared pieces ────────────────────────────────────────────────────────────

const consumerInput = z
  .enum(CONSUMERS)
  .default('generic')
  .describe('Who verifies the token: alb (AWS ALB JWT validation: RS256, kid), sts (AssumeRoleWithWebIdentity: RS/ES 256/384/512), bridge (the OIDC bridge\'s cluster-JWKS rules: RSA, RS256, kid, use sig) or generic.');


function issOf(t: LoadedToken | undefined): string | undefined {
  const iss = t?.facts?.claims.iss;
  return typeof iss === 'string' ? iss : undefined;
}


const redirectSchema = z.object({ from: z.string(), to: z.string(), status: z.number(), off_host: z.boolean() });
const redirectsOf = (f?: Fetched) => (f?.http?.redirects ?? []).map((r) => ({ from: r.from, to: r.to, status: r.status, off_host: r.offHost }));

interface KeySource {
  url?: string | undefined;
  file?: string | undefined;
  issuer?: string | undefined;
  cluster?: boolean | undefined;
  context?: string | undefined;
  kubeconfig?: string | undefined;
  /** The token's kid: a cached key set without it is fetched again (rotation), see fetchJson. */
  kid?: string | undefined;
  /** Fetch now, not from the process cache (compare_jwks looks for a rotation in progress). */
  fresh?: boolean | undefined;
}

interface LoadedKeys {
  label: string;
  cluster: boolean;
  fetched?: Fetched | undefined;
  /** Findings from getting there (discovery problems, unreachable…). */
  findings: Finding[];
}

/** Loads one key set from exactly one source. `names` are the input field names, for messages. */
async function loadKeys(src: KeySource, ctx: ToolContext, names: string): Promise<LoadedKeys> {
  const given = [src.url, src.file, src.issuer, src.cluster ? true : undefined].filter((v) => v !== undefined);
  if (given.length > 1) throw new UsageError(`More than one key set source given for ${names}.`, `Pass only one of ${names}.`);
  if (src.file !== undefined) return loadFile(src.file);
  if (src.cluster) return loadCluster(src, ctx);
  const want = { kid: src.kid, fresh: src.fresh === true };
  if (src.url !== undefined) return loadUrl(src.url, `public: ${src.url}`, ctx, [], want);
  if (src.issuer !== undefined) return loadViaDiscovery(src.issuer, ctx, want);
  throw new UsageError(`No key set source given.`, `Pass one of ${names}.`);
}

async function loadFile(path: string): Promise<LoadedKeys> {
  const label = `file: ${path}`;
  try {
    return { label, cluster: false, fetched: await readJsonFile(path), findings: [] };
  } catch (e) {
    const f = asFailure(e);
    if (f.code === 'SOURCE_FILE') throw inputError(e, 'Check the path of the JWKS file.');
    return { label, cluster: false, findings: [fail('JWKS_INVALID', { title: `${path} is not a JWKS`, detail: f.message, fix: 'Point at a JSON file of the form {"keys": [...]}.' })] };
  }
}

/** The cluster's JWKS through kubectl (the gather layer: one read per call, failures as CLUSTER_UNREACHABLE). */
async function loadCluster(src: KeySource, ctx: ToolContext): Promise<LoadedKeys> {
  const label = `cluster${src.context ? ` (${src.context})` : ''}`;
  const j = await gatherJwks(ctx, { cluster: { context: src.context, kubeconfig: src.kubeconfig, signal: ctx.signal } }, 'The cluster JWKS');
  return { label, cluster: true, ...(j.doc ? { fetched: j.doc } : {}), findings: j.doc ? [] : j.findings };
}

const kidOf = (kid: unknown) => (typeof kid === 'string' ? kid : undefined);

/** A JWKS URL through the gather layer (the process cache honours kid and fresh). */
async function loadUrl(url: string, label: string, ctx: ToolContext, pre: Finding[] = [], want: { kid?: string | undefined; fresh?: boolean } = {}): Promise<LoadedKeys> {
  const j = await gatherJwks(ctx, { url }, `The JWKS at ${url}`, want);
  return { label, cluster: false, ...(j.doc ? { fetched: j.doc } : {}), findings: j.doc ? pre : [...pre, ...j.findings] };
}

/** discovery → jwks_uri → JWKS, the way a verifier finds the keys (discovery problems stop it). */
async function loadViaDiscovery(issuer: string, ctx: ToolContext, want: { kid?: string | undefined; fresh?: boolean } = {}): Promise<LoadedKeys> {
  const label = `public: ${issuer}`;
  const d = await gatherDiscovery(ctx, issuer, want);
  if (!d.doc) return { label, cluster: false, findings: d.findings };
  const problems = judgeDiscovery(d, { consumer: 'generic' }).filter((f) => f.status === 'fail');
  if (problems.length || !d.jwksUri) return { label, cluster: false, findings: problems };
  return loadUrl(d.jwksUri, `public: ${d.jwksUri}`, ctx, problems, want);
}

const keySchema = z.object({
  kid: z.string().optional(),
  kty: z.string().optional(),
  alg: z.string().optional(),
  use: z.string().optional(),
  crv: z.string().optional(),
  size_bits: z.number().optional(),
  thumbprint: z.string().optional().describe('RFC 7638 SHA-256 thumbprint of the public key.'),
  usable: z.boolean(),
  has_private_members: z.boolean(),
});

const keyRow = (k: KeyFacts) => ({
  kid: k.kid,
  kty: k.kty,
  alg: k.alg,
  use: k.use,
  crv: k.crv,
  size_bits: k.size_bits,
  thumbprint: k.thumbprint,
  usable: k.usable,
  has_private_members: k.private_members.length > 0,
});

// ── check_discovery ─────────────────────────────────────────────────────────

type Attempt = z.infer<typeof attemptSchema>;
const attemptSchema = z.object({
  attempt: z.number(),
  ok: z.boolean(),
  elapsed_ms: z.number().optional(),
  cause: z.string().optional().describe('The classified failure (SOURCE_TIMEOUT, SOURCE_TLS_UNTRUSTED, SOURCE_HTTP_STATUS…).'),
  http_status: z.number().optional(),
});

const stringOr = (v: unknown) => (typeof v === 'string' ? v : undefined);
const stringsOr = (v: unknown) => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined);

const checkDiscoveryTool = defineTool({
  name: 'check_discovery',
  toolsets: ['keys'],
  title: 'Check OIDC discovery',
  description:
    'Fetches <issuer>/.well-known/openid-configuration as STS / the ALB would: reachable (classified cause when not), issuer EXACTLY the token\'s iss, jwks_uri https, RS256 advertised, latency vs STS\'s ~5 s, redirects. Give issuer or a token. attempts + interval_seconds wait for an endpoint still propagating (a new Tailscale Funnel).',
  input: () => z.object({
    issuer: z.string().optional().describe('Issuer URL (https://…). Default: the token\'s iss.'),
    ...tokenInputShape,
    consumer: consumerInput,
    attempts: z.number().int().min(1).max(20).default(1).describe('How many times to try before giving up (1–20).'),
    interval_seconds: z.number().min(0).max(120).default(5).describe('Seconds to wait between attempts.'),
  }),
  output: () => resultSchema({
    issuer: z.string().describe('The issuer whose discovery document was fetched.'),
    url: z.string(),
    attempts: z.array(attemptSchema),
    elapsed_ms: z.number().optional().describe('Latency of the successful fetch.'),
    redirects: z.array(redirectSchema),
    addresses: z.array(z.string()).describe('Addresses the host resolved to.'),
    document: z
      .object({
        issuer: z.string().optional(),
        jwks_uri: z.string().optional(),
        id_token_signing_alg_values_supported: z.array(z.string()).optional(),
        response_types_supported: z.array(z.string()).optional(),
        subject_types_supported: z.array(z.string()).optional(),
      })
      .optional(),
    token_fingerprint: z.string().optional(),
  }),
  type: 'readOnly',
  network: true,
  cli: {
    command: 'discovery',
    summary: 'Fetch and check an issuer\'s OIDC discovery document',
    positional: 'issuer',
    examples: ['jwt-triage discovery https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc', 'jwt-triage discovery --token-file token.jwt --consumer sts --attempts 10 --interval-seconds 15'],
  },
  async handle(input, ctx) {
    const tok = await loadOptionalToken(input, ctx);
    if (tok?.malformed) return { summary: tok.malformed.title, findings: [tok.malformed], issuer: input.issuer ?? '', url: '', attempts: [], redirects: [], addresses: [] };
    const tokenIss = issOf(tok);
    const issuer = input.issuer ?? tokenIss;
    if (!issuer) throw new UsageError('No issuer to check.', tok ? 'The token has no iss claim; pass issuer.' : 'Pass issuer, or a token (token_file / token_env) whose iss names the issuer.');
    const expected = tokenIss ? { issuer: tokenIss, from: 'token iss' } : { issuer, from: 'given issuer' };
    const url = discoveryUrl(issuer);
    const { doc, attempts, last } = await fetchWithRetries(issuer, url, input, ctx);
    const findings: Finding[] = [];
    if (!doc) {
      const f = fetchFailure('DISCOVERY_UNREACHABLE', `The discovery document at ${url}`, last ?? { code: 'SOURCE_TIMEOUT', message: 'Cancelled before the first attempt.' });
      findings.push({ ...f, evidence: { ...f.evidence, attempts: attempts.length } });
    } else {
      findings.push(checkAttempts(attempts));
      findings.push(...checkDiscovery({ json: doc.json, url, expected, consumer: input.consumer, elapsedMs: doc.elapsedMs, redirects: doc.http?.redirects ?? [], allowHttpLoopback: ctx.http.allowHttpLoopback, viaProxy: doc.http?.viaProxy }));
    }
    return {
      summary: resultOf(findings, `The discovery document of ${issuer} is reachable and consistent.`).summary,
      findings,
      issuer,
      url,
      attempts,
      elapsed_ms: doc?.elapsedMs,
      redirects: redirectsOf(doc),
      addresses: doc?.http?.addresses ?? [],
      document: doc ? documentMembers(doc.json) : undefined,
      token_fingerprint: tok?.facts?.fingerprint,
    };
  },
  text: (o) => [
    `discovery: ${o.url}`,
    ...o.attempts.map((a) => `  attempt ${a.attempt}: ${a.ok ? `ok in ${a.elapsed_ms} ms` : `failed (${a.cause}${a.http_status ? ` ${a.http_status}` : ''})`}`),
    ...(o.document ? [`  issuer: ${o.document.issuer ?? '(none)'}`, `  jwks_uri: ${o.document.jwks_uri ?? '(none)'}`] : []),
  ],
});

/** Tries the discovery fetch up to `attempts` times, `interval_seconds` apart, reporting progress; stops on cancel. */
async function fetchWithRetries(issuer: string, url: string, input: { attempts: number; interval_seconds: number }, ctx: ToolContext) {
  const attempts: Attempt[] = [];
  let last: SourceFailure | undefined;
  for (let i = 1; i <= input.attempts && !ctx.signal.aborted; i++) {
    ctx.progress(i, input.attempts, `attempt ${i}/${input.attempts}: GET ${url}`);
    try {
      const doc = await fetchDiscovery(issuer, ctx.http, ctx.signal, { fresh: true });
      attempts.push({ attempt: i, ok: true, elapsed_ms: doc.elapsedMs });
      return { doc, attempts, last };
    } catch (e) {
      last = asFailure(e);
      const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
      attempts.push({ attempt: i, ok: false, cause: last.code, elapsed_ms: num(last.facts?.elapsed_ms), http_status: num(last.facts?.status) });
    }
    if (i < input.attempts) await sleep(input.interval_seconds * 1000, undefined, { signal: ctx.signal }).catch(() => undefined);
  }
  return { doc: undefined, attempts, last };
}

function documentMembers(raw: unknown) {
  const json = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  return {
    issuer: stringOr(json.issuer),
    jwks_uri: stringOr(json.jwks_uri),
    id_token_signing_alg_values_supported: stringsOr(json.id_token_signing_alg_values_supported),
    response_types_supported: stringsOr(json.response_types_supported),
    subject_types_supported: stringsOr(json.subject_types_supported),
  };
}

// ── check_jwks ──────────────────────────────────────────────────────────────

const checkJwksTool = defineTool({
  name: 'check_jwks',
  toolsets: ['default', 'keys'],
  title: 'Check a JWKS and a token signature',
  description:
    'Fetches a JWKS (jwks_url, jwks_file, or via discovery of issuer / the token\'s iss; never jku/x5u) and checks it: keys by kid/kty/alg/use (public members only), exposed private key material, duplicate or unusable keys, the consumer\'s limits (alb: RS256, ≤ 10 keys, ≤ 150 KB; bridge: RSA/RS256/kid; sts: RSA or EC for RS/ES 256/384/512). With a token: its kid served (without kid: the one key fitting its alg) and its signature verified with jose.',
  input: () => z.object({
    jwks_url: z.string().optional().describe('URL of the JWKS (https).'),
    jwks_file: z.string().optional().describe('Path to a JWKS JSON file.'),
    issuer: z.string().optional().describe('Issuer URL: the JWKS is found through its discovery document (jwks_uri).'),
    ...tokenInputShape,
    consumer: consumerInput,
  }),
  output: () => resultSchema({
    source: z.string().describe('Where the key set came from.'),
    bytes: z.number().optional(),
    elapsed_ms: z.number().optional(),
    redirects: z.array(redirectSchema),
    keys: z.array(keySchema),
    token_fingerprint: z.string().optional(),
    token_kid: z.string().optional(),
    token_alg: z.string().optional(),
    signature: z.enum(['valid', 'invalid', 'not_checked']),
  }),
  type: 'readOnly',
  network: true,
  cli: {
    command: 'jwks',
    summary: 'Fetch and check a JWKS; verify a token\'s signature against it',
    positional: 'jwks_url',
    examples: ['jwt-triage jwks https://issuer.example.com/openid/v1/jwks --consumer sts', 'jwt-triage jwks --token-file token.jwt --consumer alb'],
  },
  async handle(input, ctx) {
    const tok = await loadOptionalToken(input, ctx);
    const noSource = input.jwks_url === undefined && input.jwks_file === undefined && input.issuer === undefined;
    if (noSource && !issOf(tok)) throw new UsageError('No JWKS source given.', 'Pass jwks_url, jwks_file or issuer (or a token whose iss names the issuer).');
    const loaded = await loadKeys({ url: input.jwks_url, file: input.jwks_file, issuer: input.issuer ?? (noSource ? issOf(tok) : undefined), kid: kidOf(tok?.facts?.header.kid) }, ctx, 'jwks_url, jwks_file, issuer');
    const findings: Finding[] = [...loaded.findings];
    if (tok?.malformed) findings.push(tok.malformed);
    let keys: KeyFacts[] = [];
    let signature: 'valid' | 'invalid' | 'not_checked' = 'not_checked';
    if (loaded.fetched) {
      const set = await readKeySet(loaded.fetched.json);
      keys = set.keys;
      findings.push(...set.findings, ...checkConsumerLimits(keys, loaded.fetched.bytes, input.consumer));
      if (loaded.fetched.http) findings.push(latency({ elapsedMs: loaded.fetched.elapsedMs, consumer: input.consumer, url: loaded.fetched.origin, what: 'The JWKS', viaProxy: loaded.fetched.http.viaProxy }));
      if (tok?.facts) {
        const sig = await tokenAgainstKeys(tok.raw, tok.facts, keys, input.consumer);
        findings.push(...sig);
        const s = sig.find((f) => f.code === 'SIGNATURE_INVALID');
        signature = s?.status === 'pass' ? 'valid' : s?.status === 'fail' ? 'invalid' : 'not_checked';
      }
    }
    return {
      summary: resultOf(findings, tok?.facts ? `The JWKS serves the token's key and the signature verifies.` : `The JWKS at ${loaded.label} holds ${keys.length} usable key(s).`).summary,
      findings,
      source: loaded.label,
      bytes: loaded.fetched?.bytes,
      elapsed_ms: loaded.fetched?.elapsedMs,
      redirects: redirectsOf(loaded.fetched),
      keys: keys.map(keyRow),
      token_fingerprint: tok?.facts?.fingerprint,
      token_kid: tok?.facts?.header.kid,
      token_alg: tok?.facts?.header.alg,
      signature,
    };
  },
  text: (o) => [`key set: ${o.source}`, ...o.keys.map((k) => `  ${k.kid ?? '(no kid)'}  ${k.kty ?? '?'} ${k.alg ?? ''} ${k.use ?? ''} ${k.size_bits ? `${k.size_bits} bits` : ''}`.trimEnd()), `signature: ${o.signature}`],
});

async function tokenAgainstKeys(raw: string, t: TokenFacts, keys: KeyFacts[], consumer: Consumer): Promise<Finding[]> {
  if (t.form === 'JWE') return [skip('SIGNATURE_INVALID', { title: 'The token is a JWE (encrypted); its signature cannot be checked here' })];
  if (t.form === 'unsecured') {
    return [fail('TOKEN_UNSECURED', { title: 'The token is unsecured (alg "none"): it has no signature', detail: 'No verifier (ALB, STS, any OIDC library) accepts it.', evidence: { alg: t.header.alg }, fix: 'Use the signed token the identity provider issued, not a hand-made one.' })];
  }
  const out = checkTokenAlgForConsumer(t.header.alg, consumer);
  const match = matchKid(t.header, keys, 'the JWKS', consumer);
  out.push(match.finding, await checkSignature(raw, t.header, match.key));
  return out;
}

// ── compare_jwks ────────────────────────────────────────────────────────────

const sideSchema = z.object({
  label: z.string().describe('Names the source: "public: https://…", "file: …", "cluster".'),
  loaded: z.boolean(),
  kids: z.array(z.string()),
  keys: z.array(keySchema),
});

const compareJwksTool = defineTool({
  name: 'compare_jwks',
  toolsets: ['keys'],
  title: 'Compare two key sets',
  description:
    'Compares two JWKS (each a URL, file, issuer or the cluster via kubectl): kids only in A, only in B, in both, same key or not (RFC 7638 thumbprint). Cluster vs the public (bridge) JWKS names the keys the cluster signs with that AWS cannot see; with a token, whether its kid is in each. For a rotation or a stale bridge copy.',
  input: () => z.object({
    a_url: z.string().optional().describe('Set A: URL of a JWKS (https).'),
    a_file: z.string().optional().describe('Set A: path to a JWKS JSON file.'),
    a_issuer: z.string().optional().describe('Set A: issuer URL; the JWKS is found through its discovery document.'),
    a_cluster: z.boolean().optional().describe('Set A: the cluster\'s own JWKS (kubectl get --raw /openid/v1/jwks).'),
    a_context: kubeContext().optional().describe('Set A: kube context for a_cluster (default: the current context).'),
    a_kubeconfig: kubeconfigPath().optional().describe('Set A: kubeconfig path for a_cluster (default: KUBECONFIG or ~/.kube/config).'),
    b_url: z.string().optional().describe('Set B: URL of a JWKS (https).'),
    b_file: z.string().optional().describe('Set B: path to a JWKS JSON file.'),
    b_issuer: z.string().optional().describe('Set B: issuer URL; the JWKS is found through its discovery document.'),
    b_cluster: z.boolean().optional().describe('Set B: the cluster\'s own JWKS (kubectl get --raw /openid/v1/jwks).'),
    b_context: kubeContext().optional().describe('Set B: kube context for b_cluster (default: the current context).'),
    b_kubeconfig: kubeconfigPath().optional().describe('Set B: kubeconfig path for b_cluster (default: KUBECONFIG or ~/.kube/config).'),
    ...tokenInputShape,
  }),
  output: () => resultSchema({
    a: sideSchema,
    b: sideSchema,
    only_in_a: z.array(z.string()),
    only_in_b: z.array(z.string()),
    in_both: z.array(z.object({ kid: z.string(), same_key: z.boolean() })),
    token_fingerprint: z.string().optional(),
    token_kid: z.string().optional(),
    token_kid_in_a: z.boolean().optional(),
    token_kid_in_b: z.boolean().optional(),
  }),
  type: 'readOnly',
  network: true,
  cli: {
    command: 'compare-jwks',
    summary: 'Compare two key sets (URL, file, issuer or cluster) by kid and key material',
    examples: ['jwt-triage compare-jwks --a-cluster --b-issuer https://oidc.tailnet.ts.net', 'jwt-triage compare-jwks --a-url https://a.example/jwks --b-file jwks.json --token-file token.jwt'],
  },
  async handle(input, ctx) {
    const tok = await loadOptionalToken(input, ctx);
    const a = { url: input.a_url, file: input.a_file, issuer: input.a_issuer, cluster: input.a_cluster, context: input.a_context, kubeconfig: input.a_kubeconfig, fresh: true };
    const b = { url: input.b_url, file: input.b_file, issuer: input.b_issuer, cluster: input.b_cluster, context: input.b_context, kubeconfig: input.b_kubeconfig, fresh: true };
    const [la, lb] = await Promise.all([loadKeys(a, ctx, 'a_url, a_file, a_issuer, a_cluster'), loadKeys(b, ctx, 'b_url, b_file, b_issuer, b_cluster')]);
    const [setA, setB] = await Promise.all([la.fetched && readKeySet(la.fetched.json), lb.fetched && readKeySet(lb.fetched.json)]);
    const findings: Finding[] = [...la.findings, ...lb.findings, ...(tok?.malformed ? [tok.malformed] : [])];
    for (const [label, set] of [[la.label, setA], [lb.label, setB]] as const) {
      for (const f of set?.findings ?? []) if (f.status !== 'pass') findings.push({ ...f, title: `${label}: ${f.title}` });
    }
    const sideA: KeySide = { label: la.label, cluster: la.cluster, keys: setA?.keys ?? [] };
    const sideB: KeySide = { label: lb.label, cluster: lb.cluster, keys: setB?.keys ?? [] };
    const bothLoaded = setA !== undefined && setB !== undefined;
    const cmp = bothLoaded ? compareKeySets(sideA, sideB) : { only_in_a: [], only_in_b: [], in_both: [], findings: [] };
    findings.push(...cmp.findings);
    const kid = tok?.facts?.header.kid;
    if (bothLoaded) findings.push(...tokenKidInSides(kid, [sideA, sideB]));
    const side = (s: KeySide, loaded: boolean) => ({ label: s.label, loaded, kids: s.keys.flatMap((k) => (k.kid ? [k.kid] : [])), keys: s.keys.map(keyRow) });
    const has = (s: KeySide, loaded: boolean) => (kid !== undefined && loaded ? s.keys.some((k) => k.kid === kid) : undefined);
    return {
      summary: resultOf(findings, `Both key sets hold the same keys.`).summary,
      findings,
      a: side(sideA, setA !== undefined),
      b: side(sideB, setB !== undefined),
      only_in_a: cmp.only_in_a,
      only_in_b: cmp.only_in_b,
      in_both: cmp.in_both,
      token_fingerprint: tok?.facts?.fingerprint,
      token_kid: kid,
      token_kid_in_a: has(sideA, setA !== undefined),
      token_kid_in_b: has(sideB, setB !== undefined),
    };
  },
  text: (o) => [
    `A: ${o.a.label} (${o.a.kids.length} kids)`,
    `B: ${o.b.label} (${o.b.kids.length} kids)`,
    `only in A: ${o.only_in_a.join(', ') || '-'}`,
    `only in B: ${o.only_in_b.join(', ') || '-'}`,
    `in both: ${o.in_both.map((k) => `${k.kid}${k.same_key ? '' : ' (different key!)'}`).join(', ') || '-'}`,
  ],
});

export default [checkDiscoveryTool, checkJwksTool, compareJwksTool];
