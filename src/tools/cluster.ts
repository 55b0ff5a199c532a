/**
 * Cluster and OIDC-bridge tools: get_cluster_oidc, check_public_reachability,
 * check_bridge_logs, check_bridge_config. Sources (kubectl, the safe fetch, a log file) →
 * checks (bridge/*, reachability, discovery, jwks/*) → result. Log lines are never echoed
 * and secret settings are never read or shown.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { checkBridgeConfig, type SettingFact } from '../checks/bridge/config.js';
import { checkClusterIssuer, clusterReached, clusterUnreachable } from '../checks/bridge/cluster.js';
import { checkBridgeLogs } from '../checks/bridge/log-findings.js';
import { parseBridgeLog, summarizeEvents } from '../checks/bridge/log-parse.js';
import { checkDiscovery, latency } from '../checks/discovery.js';
import { skip, worstFirst, type Finding } from '../checks/finding.js';
import { checkConsumerLimits } from '../checks/jwks/consumer.js';
import { readKeySet } from '../checks/jwks/keys.js';
import { matchKid } from '../checks/jwks/signature.js';
import { checkTailnet, PRIVATE_CA_NOTE } from '../checks/reachability.js';
import { fetchFailure, type SourceFailure } from '../checks/source-failure.js';
import { BRIDGE_OPTIONAL, BRIDGE_REQUIRED, BRIDGE_SELECTOR, isSecretSetting } from '../presets/bridge.js';
import { SourceError, UsageError } from '../sources/errors.js';
import { getDeployments, getPods, podLogs, readLogFile, type DeploymentFacts, type EnvEntry } from '../sources/kube.js';
import type { KubeTarget } from '../sources/kubectl.js';
import { discoveryUrl, fetchDiscovery, fetchJson, readClusterJson, type Fetched } from '../sources/oidc.js';
import { tokenInputShape } from '../sources/secret-ref.js';
import { loadOptionalToken } from './token-input.js';
import { defineTool, resultOf, resultSchema, type ToolContext } from './define.js';

// ── shared pieces ────────────────────────────────────────────────────────────

const kubeShape = {
  context: z.string().optional().describe('kubeconfig context (default: the current context).'),
  kubeconfig: z.string().optional().describe('Path to the kubeconfig file (default: KUBECONFIG, then ~/.kube/config).'),
};
const namespaceInput = z.string().optional().describe("The bridge's namespace (default: the context's namespace).");
const selectorInput = z.string().optional().describe(`Label selector for the bridge (default: ${BRIDGE_SELECTOR}, the Helm chart's component label).`);

const targetOf = (i: { context?: string | undefined; kubeconfig?: string | undefined }): KubeTarget => ({ context: i.context, kubeconfig: i.kubeconfig, timeoutMs: 15000 });

/** A source error as plain data for the checks; anything else is a bug and is rethrown. */
function failureOf(e: unknown): SourceFailure {
  if (e instanceof SourceError) return { code: e.code, message: e.message, facts: e.facts };
  throw e;
}


const keySchema = z.object({ kid: z.string().optional(), kty: z.string().optional(), alg: z.string().optional(), use: z.string().optional() });

// ── get_cluster_oidc ─────────────────────────────────────────────────────────

const getClusterOidc = defineTool({
  name: 'get_cluster_oidc',
  title: "Read the cluster's own OIDC issuer and JWKS",
  description:
    "Reads the Kubernetes API server's own discovery document and JWKS with `kubectl get --raw` (no shell, with a timeout): issuer, jwks_uri and the signing keys (kid/kty/alg). Use it to compare the cluster with the public bridge: give expected_issuer (the public bridge URL) to check the API server's --service-account-issuer. A missing kubectl, an unreachable cluster or rejected credentials is a CLUSTER_UNREACHABLE finding that says which.",
  input: z.object({
    ...kubeShape,
    expected_issuer: z.string().optional().describe('The public issuer URL (the bridge ISSUER_URL) the API server must use as --service-account-issuer.'),
  }),
  output: resultSchema({
    issuer: z.string().optional().describe("The API server's issuer (the iss of its service-account tokens)."),
    jwks_uri: z.string().optional(),
    keys: z.array(keySchema).describe('The cluster signing keys (public facts only).'),
    elapsed_ms: z.number().optional(),
  }),
  type: 'readOnly',
  network: true,
  cli: { command: 'cluster-oidc', summary: "The cluster's own issuer and JWKS via kubectl", examples: ['jwt-triage cluster-oidc --context prod --expected-issuer https://oidc.example.ts.net'] },
  async handle(input) {
    const target = targetOf(input);
    let disc: Fetched;
    let jwks: Fetched;
    try {
      disc = await readClusterJson('/.well-known/openid-configuration', target);
      jwks = await readClusterJson('/openid/v1/jwks', target);
    } catch (e) {
      const findings = [clusterUnreachable(failureOf(e), 'Reading the cluster OIDC documents')];
      return { verdict: 'error' as const, summary: findings[0]!.title, findings, keys: [] };
    }
    const doc = (disc.json && typeof disc.json === 'object' ? disc.json : {}) as Record<string, unknown>;
    const issuer = typeof doc.issuer === 'string' ? doc.issuer : undefined;
    const ks = await readKeySet(jwks.json);
    const expected = input.expected_issuer ? { issuer: input.expected_issuer, from: 'expected issuer (the public bridge URL)' } : undefined;
    const findings = [clusterReached('discovery and JWKS', disc.elapsedMs + jwks.elapsedMs), checkClusterIssuer(issuer, expected), ...ks.findings, ...checkConsumerLimits(ks.keys, jwks.bytes, 'sts')];
    return {
      verdict: 'pass' as const,
      summary: resultOf(findings, `The cluster issuer is ${issuer ?? '(none)'} with ${ks.keys.length} key(s).`).summary,
      findings,
      issuer,
      jwks_uri: typeof doc.jwks_uri === 'string' ? doc.jwks_uri : undefined,
      keys: ks.keys.map((k) => ({ kid: k.kid, kty: k.kty, alg: k.alg, use: k.use })),
      elapsed_ms: disc.elapsedMs + jwks.elapsedMs,
    };
  },
  text: (o) => [`issuer: ${o.issuer ?? '(none)'}`, `jwks_uri: ${o.jwks_uri ?? '(none)'}`, `kids: ${o.keys.map((k) => `${k.kid ?? '?'} (${k.kty ?? '?'} ${k.alg ?? '?'})`).join(', ') || '(none)'}`],
});

// ── check_public_reachability ────────────────────────────────────────────────

interface Attempt {
  ok: boolean;
  findings: Finding[];
  discovery?: Fetched | undefined;
  jwksUri?: string | undefined;
  kids: string[];
  row: { attempt: number; discovery: string; jwks: string; elapsed_ms: number };
}

const outcome = (f?: Fetched, e?: SourceFailure) => (e ? e.code : f ? `ok ${f.elapsedMs} ms` : 'not tried');

function unreachable(code: 'DISCOVERY_UNREACHABLE' | 'JWKS_UNREACHABLE', what: string, e: SourceFailure): Finding {
  const f = fetchFailure(code, what, e);
  return e.code === 'SOURCE_TLS_UNTRUSTED' ? { ...f, detail: `${f.detail} ${PRIVATE_CA_NOTE}` } : f;
}

/** One pass over discovery → jwks_uri → JWKS → kid, as STS does it. */
async function attemptOnce(n: number, issuer: string, expected: { issuer: string; from: string }, kid: string | undefined, ctx: ToolContext): Promise<Attempt> {
  const start = performance.now();
  const row = (d: string, j: string) => ({ attempt: n, discovery: d, jwks: j, elapsed_ms: Math.round(performance.now() - start) });
  let disc: Fetched;
  try {
    disc = await fetchDiscovery(issuer, ctx.http, ctx.signal, { fresh: true });
  } catch (e) {
    const fl = failureOf(e);
    return { ok: false, kids: [], findings: [unreachable('DISCOVERY_UNREACHABLE', 'The discovery document', fl), skip('JWKS_UNREACHABLE', { title: 'JWKS not fetched: no discovery document' })], row: row(fl.code, 'not tried') };
  }
  const findings = checkDiscovery({ json: disc.json, url: disc.origin, expected, consumer: 'sts', elapsedMs: disc.elapsedMs, redirects: disc.http?.redirects ?? [] });
  const jwksUri = (disc.json as { jwks_uri?: unknown } | null)?.jwks_uri;
  if (typeof jwksUri !== 'string' || findings.some((f) => f.code === 'DISCOVERY_JWKS_URI_INVALID' && f.status === 'fail')) {
    return { ok: false, kids: [], discovery: disc, findings: [...findings, skip('JWKS_UNREACHABLE', { title: 'JWKS not fetched: no usable jwks_uri' })], row: row(outcome(disc), 'not tried') };
  }
  let jwks: Fetched;
  try {
    jwks = await fetchJson(jwksUri, ctx.http, ctx.signal, { fresh: true });
  } catch (e) {
    const fl = failureOf(e);
    return { ok: false, kids: [], discovery: disc, jwksUri, findings: [...findings, unreachable('JWKS_UNREACHABLE', 'The JWKS', fl)], row: row(outcome(disc), fl.code) };
  }
  const ks = await readKeySet(jwks.json);
  const slow = latency({ elapsedMs: jwks.elapsedMs, consumer: 'sts', url: jwksUri });
  const kidFinding = kid === undefined ? skip('JWKS_KID_NOT_FOUND', { title: 'No token given; the kid was not checked' }) : matchKid({ kid }, ks.keys, 'the public JWKS').finding;
  const all = [...findings, { ...slow, title: `JWKS: ${slow.title}` }, ...ks.findings, kidFinding];
  const ok = !all.some((f) => f.status === 'fail' || f.status === 'error');
  return { ok, kids: ks.keys.flatMap((k) => (k.kid ? [k.kid] : [])), discovery: disc, jwksUri, findings: all, row: row(outcome(disc), outcome(jwks)) };
}

/** Succeeded with an extra CA: would the public trust store (what AWS uses) accept it? */
async function privateCaCheck(issuer: string, ctx: ToolContext): Promise<Finding | undefined> {
  if (!ctx.http.ca) return undefined;
  try {
    await fetchDiscovery(issuer, { ...ctx.http, ca: undefined }, ctx.signal, { fresh: true });
    return undefined;
  } catch (e) {
    const fl = failureOf(e);
    if (fl.code !== 'SOURCE_TLS_UNTRUSTED') return undefined;
    const f = unreachable('DISCOVERY_UNREACHABLE', 'The discovery document', fl);
    return { ...f, status: 'warn', title: 'Reachable here only through the extra CA you configured; the public trust store rejects the certificate' };
  }
}

const checkPublicReachability = defineTool({
  name: 'check_public_reachability',
  title: 'Fetch discovery and JWKS the way AWS STS would',
  description:
    "The AWS's-eye view of an issuer (e.g. the OIDC bridge over Tailscale Funnel): fetches <issuer>/.well-known/openid-configuration and its jwks_uri with public-CA TLS, measures latency against the ~5 s STS waits, checks the token's kid is served, and can retry on a schedule (attempts, interval_seconds, with progress) while Funnel propagates. Warns when the host resolves to a Tailscale address from here (success then proves nothing for AWS). Give issuer, or a token (token_file / token_env) to use its iss and kid.",
  input: z.object({
    issuer: z.string().optional().describe("The issuer URL (default: the token's iss)."),
    ...tokenInputShape,
    attempts: z.number().int().min(1).max(30).default(1).describe('How many times to try until discovery and JWKS both succeed (for Funnel propagation).'),
    interval_seconds: z.number().min(0).max(300).default(15).describe('Seconds to wait between attempts.'),
  }),
  output: resultSchema({
    issuer: z.string(),
    discovery_url: z.string(),
    jwks_uri: z.string().optional(),
    token_fingerprint: z.string().optional(),
    token_kid: z.string().optional(),
    kids: z.array(z.string()).describe('Key ids the public JWKS serves.'),
    addresses: z.array(z.string()).describe('Addresses the issuer host resolved to from this machine.'),
    attempts: z.array(z.object({ attempt: z.number(), discovery: z.string(), jwks: z.string(), elapsed_ms: z.number() })),
  }),
  type: 'readOnly',
  network: true,
  cli: { command: 'reachability', summary: 'Fetch discovery + JWKS as AWS would (TLS, latency, kid, retries)', examples: ['jwt-triage reachability --token-file token.jwt', 'jwt-triage reachability --issuer https://oidc.example.ts.net --attempts 10 --interval-seconds 30'] },
  async handle(input, ctx) {
    const tok = await loadOptionalToken(input, ctx);
    if (tok && !tok.facts) throw new UsageError('The token is not a JWT, so its iss and kid cannot be read.', 'Pass the service-account token itself (e.g. the projected token file), or pass issuer.');
    const kid = typeof tok?.facts?.header.kid === 'string' ? tok.facts.header.kid : undefined;
    const iss = typeof tok?.facts?.claims.iss === 'string' ? tok.facts.claims.iss : undefined;
    const tokenFp = tok?.fingerprint;
    const issuer = input.issuer ?? iss;
    if (!issuer) throw new UsageError('No issuer to check.', 'Pass issuer (https://<host>) or a token whose iss names it.');
    const expected = iss ? { issuer: iss, from: 'token iss' } : { issuer, from: 'issuer given' };
    const rows: Attempt['row'][] = [];
    let last: Attempt | undefined;
    for (let n = 1; n <= input.attempts; n++) {
      ctx.progress(n - 1, input.attempts, `attempt ${n} of ${input.attempts}: ${discoveryUrl(issuer)}`);
      last = await attemptOnce(n, issuer, expected, kid, ctx);
      rows.push(last.row);
      if (last.ok || n === input.attempts || ctx.signal.aborted) break;
      await sleep(input.interval_seconds * 1000, undefined, { signal: ctx.signal }).catch(() => undefined);
    }
    ctx.progress(rows.length, input.attempts, last?.ok ? 'reachable' : 'not reachable');
    const a = last!;
    const host = new URL(issuer).hostname.replace(/^\[|\]$/g, '');
    const addresses = a.discovery?.http?.addresses.length ? a.discovery.http.addresses : /^[\d.]+$|:/.test(host) ? [host] : [];
    const tailnet = a.discovery ? checkTailnet(host, addresses) : skip('REACHABILITY_TAILNET_ONLY', { title: 'Not reached; address class not checked' });
    const ca = a.ok ? await privateCaCheck(issuer, ctx) : undefined;
    const findings = [...a.findings, tailnet, ...(ca ? [ca] : [])];
    const warned = worstFirst(findings).find((f) => f.status === 'warn');
    const okText = rows.length > 1 ? `Reachable as AWS would fetch it, after ${rows.length} attempts.` : 'Reachable as AWS would fetch it: discovery and JWKS served in time.';
    return {
      verdict: 'pass' as const,
      summary: a.ok ? okText + (warned ? ` But: ${warned.title}.` : '') : resultOf(findings, okText).summary,
      findings,
      issuer,
      discovery_url: discoveryUrl(issuer),
      jwks_uri: a.jwksUri,
      token_fingerprint: tokenFp,
      token_kid: kid,
      kids: a.kids,
      addresses,
      attempts: rows,
    };
  },
  text: (o) => [`issuer: ${o.issuer}`, ...o.attempts.map((r) => `attempt ${r.attempt}: discovery ${r.discovery}, jwks ${r.jwks} (${r.elapsed_ms} ms)`), `served kids: ${o.kids.join(', ') || '(none)'}`],
});

// ── check_bridge_logs ────────────────────────────────────────────────────────

const eventSchema = z.object({
  event: z.string(),
  component: z.string().optional(),
  level: z.string().optional(),
  count: z.number(),
  first: z.string().optional(),
  last: z.string().optional(),
  error_kinds: z.record(z.string(), z.number()),
  states: z.record(z.string(), z.number()),
  results: z.record(z.string(), z.number()),
  status_codes: z.array(z.number()),
  expected_host: z.string().optional(),
  cert_domains: z.array(z.string()).optional(),
});

const MAX_PODS = 5;

async function bridgeLogText(input: { pod?: string | undefined; selector?: string | undefined; namespace?: string | undefined; container?: string | undefined; since?: string | undefined; tail: number }, target: KubeTarget) {
  let pods;
  try {
    pods = await getPods(target, { namespace: input.namespace, name: input.pod, selector: input.pod ? undefined : (input.selector ?? BRIDGE_SELECTOR) });
  } catch (e) {
    const fl = failureOf(e);
    if (input.pod && fl.facts?.reason === 'not_found') throw new UsageError(`Pod ${input.pod} was not found${input.namespace ? ` in namespace ${input.namespace}` : ''}.`, 'Check the name and namespace: kubectl get pods -n <ns> --show-labels');
    return { failure: fl };
  }
  if (pods.length === 0) {
    throw new UsageError(`No pod matches ${input.selector ?? BRIDGE_SELECTOR}${input.namespace ? ` in namespace ${input.namespace}` : ''}.`, 'Pass pod, or a selector that matches the bridge (kubectl get pods -n <ns> --show-labels), or namespace.');
  }
  const texts: string[] = [];
  const seen: Array<{ name: string; namespace: string; phase?: string | undefined; restarts: number; lines: number }> = [];
  for (const p of pods.slice(0, MAX_PODS)) {
    try {
      const t = await podLogs(target, { namespace: p.namespace || input.namespace, pod: p.name, container: input.container, since: input.since, tail: input.tail });
      texts.push(t);
      seen.push({ name: p.name, namespace: p.namespace, phase: p.phase, restarts: p.restarts, lines: t.split('\n').filter((l) => l.trim()).length });
    } catch (e) {
      return { failure: failureOf(e) };
    }
  }
  return { text: texts.join('\n'), pods: seen };
}

const checkBridgeLogsTool = defineTool({
  name: 'check_bridge_logs',
  title: "Classify the OIDC bridge's log events",
  description:
    "Reads the OIDC bridge's logs (kubectl logs of the pod, or the pods matching the selector, default app.kubernetes.io/component=oidc-proxy; or a saved log_file), parses its slog JSON (component/event fields, never msg) and classifies failures: in-cluster JWKS fetch (BRIDGE_JWKS_PRIME_FAILED), Tailscale login (BRIDGE_TAILSCALE_LOGIN), Funnel not permitted for the tag (BRIDGE_FUNNEL_NOT_PERMITTED), issuer host vs certificate (BRIDGE_ISSUER_HOST_MISMATCH), and a silent startup stop (config error: run check_bridge_config). First/last/count per event and the fix. Lines are never echoed.",
  input: z.object({
    ...kubeShape,
    namespace: namespaceInput,
    pod: z.string().optional().describe('The bridge pod name (default: the pods matching selector).'),
    selector: selectorInput,
    container: z.string().optional().describe("Container name (default: kubectl's default container)."),
    since: z.string().regex(/^\d+(s|m|h)$/).optional().describe('Only lines newer than this (kubectl duration: 30m, 2h).'),
    tail: z.number().int().min(1).max(100000).default(5000).describe('At most this many lines per pod (the newest).'),
    log_file: z.string().optional().describe('Read a saved log file instead of kubectl logs.'),
  }),
  output: resultSchema({
    source: z.string().describe('kubectl logs pod/<ns>/<name>, or file:<path>.'),
    pods: z.array(z.object({ name: z.string(), namespace: z.string(), phase: z.string().optional(), restarts: z.number(), lines: z.number() })),
    lines_read: z.number(),
    lines_parsed: z.number(),
    events: z.array(eventSchema).describe('Per event: count, first/last time and the known fields (no message text).'),
  }),
  type: 'readOnly',
  network: true,
  cli: { command: 'bridge-logs', summary: "Classify the OIDC bridge's log events", examples: ['jwt-triage bridge-logs --namespace oidc --since 2h', 'jwt-triage bridge-logs --log-file bridge.log'] },
  async handle(input) {
    if (input.log_file !== undefined && (input.pod !== undefined || input.selector !== undefined)) throw new UsageError('log_file and pod/selector were both given.', 'Pass log_file alone, or pod/selector without log_file.');
    let text: string;
    let source: string;
    let pods: Array<{ name: string; namespace: string; phase?: string | undefined; restarts: number; lines: number }> = [];
    if (input.log_file !== undefined) {
      text = await readLogFile(input.log_file);
      source = `file:${input.log_file}`;
    } else {
      const got = await bridgeLogText(input, targetOf(input));
      if ('failure' in got) {
        const findings = [clusterUnreachable(got.failure!, 'Reading the bridge logs')];
        return { verdict: 'error' as const, summary: findings[0]!.title, findings, source: 'kubectl logs', pods: [], lines_read: 0, lines_parsed: 0, events: [] };
      }
      text = got.text;
      pods = got.pods;
      source = `kubectl logs ${pods.map((p) => `pod/${p.namespace}/${p.name}`).join(' ')}`;
    }
    const parsed = parseBridgeLog(text);
    const events = summarizeEvents(parsed.events);
    const findings = checkBridgeLogs(events, parsed);
    return { verdict: 'pass' as const, summary: resultOf(findings, `No bridge failure events in ${parsed.lines} line(s).`).summary, findings, source, pods, lines_read: parsed.lines, lines_parsed: parsed.events.length, events };
  },
  text: (o) => [`source: ${o.source} (${o.lines_parsed}/${o.lines_read} lines parsed)`, ...o.events.map((e) => `${e.event} ×${e.count}${e.first ? ` ${e.first} → ${e.last}` : ''}${Object.keys(e.error_kinds).length ? ` [${Object.keys(e.error_kinds).join(', ')}]` : ''}`)],
});

// ── check_bridge_config ──────────────────────────────────────────────────────

/** Values are shown only for the bridge's own non-secret settings (never unknown variables). */
const SHOWN = new Set<string>([...BRIDGE_REQUIRED, ...BRIDGE_OPTIONAL].filter((n) => !isSecretSetting(n)));

/** `env` input values: a literal, or `secretKeyRef:<secret>/<key>` / `configMapKeyRef:<cm>/<key>`. */
function envFromInput(env: Record<string, string>): EnvEntry[] {
  return Object.entries(env).map(([name, v]) => {
    const m = /^(secretKeyRef|configMapKeyRef):(.*)$/.exec(v);
    return m ? { name, from: m[1] as EnvEntry['from'], ref: m[2] } : { name, from: 'value', value: v };
  });
}

/** Registers secret literals, then keeps values only for non-secret settings. */
function settingsOf(env: EnvEntry[], ctx: ToolContext): SettingFact[] {
  return env.map((e) => {
    if (isSecretSetting(e.name) && e.value) ctx.secret(e.value, 'secret');
    return { name: e.name, from: e.from, value: isSecretSetting(e.name) ? (e.value ? '(set)' : '') : e.value };
  });
}

async function pickDeployment(input: { deployment?: string | undefined; selector?: string | undefined; namespace?: string | undefined; container?: string | undefined }, target: KubeTarget) {
  const found: DeploymentFacts[] = await getDeployments(target, { namespace: input.namespace, name: input.deployment, selector: input.deployment ? undefined : (input.selector ?? BRIDGE_SELECTOR) });
  if (found.length !== 1) {
    throw new UsageError(found.length ? `${found.length} Deployments match: ${found.map((d) => d.name).join(', ')}.` : `No Deployment matches ${input.selector ?? BRIDGE_SELECTOR}.`, 'Pass deployment (the bridge Deployment name) and namespace.');
  }
  const d = found[0]!;
  const c = input.container ? d.containers.find((x) => x.name === input.container) : (d.containers.find((x) => x.env.some((e) => e.name === 'ISSUER_URL')) ?? d.containers[0]);
  if (!c) throw new UsageError(`Deployment ${d.name} has no container ${input.container ?? ''}.`, `Containers: ${d.containers.map((x) => x.name).join(', ')}.`);
  return { d, c };
}

const checkBridgeConfigTool = defineTool({
  name: 'check_bridge_config',
  title: "Check the OIDC bridge Deployment's settings",
  description:
    "Checks the OIDC bridge's settings from its Deployment (kubectl get deployment -o json; default selector app.kubernetes.io/component=oidc-proxy) or from an env object you give: required settings, ISSUER_URL https and host-only (no port, path, trailing slash, query), its host = <TS_HOSTNAME>.<tailnet>.ts.net, TS_TAG starts with tag:, removed settings, typos, secrets kept in a Secret, and the API server's issuer equal to ISSUER_URL. Use it when the bridge stops at startup (it never prints config errors). Secret values are never read or shown.",
  input: z.object({
    ...kubeShape,
    namespace: namespaceInput,
    deployment: z.string().optional().describe('The bridge Deployment name (default: the one matching selector).'),
    selector: selectorInput,
    container: z.string().optional().describe('Container name (default: the one with ISSUER_URL).'),
    env: z.record(z.string(), z.string()).optional().describe('The settings instead of reading the Deployment: NAME → value, or "secretKeyRef:<secret>/<key>" for one taken from a Secret.'),
    cluster_issuer: z.string().optional().describe("The API server's issuer, if known (default: read with kubectl unless only env is given)."),
  }),
  output: resultSchema({
    deployment: z.string().optional(),
    container: z.string().optional(),
    settings: z.array(z.object({ name: z.string(), from: z.string(), value: z.string().optional() })).describe('Each setting and where it comes from; values only for non-secret bridge settings.'),
    env_from: z.array(z.string()),
    cluster_issuer: z.string().optional(),
  }),
  type: 'readOnly',
  network: true,
  cli: { command: 'bridge-config', summary: "Check the OIDC bridge Deployment's settings", examples: ['jwt-triage bridge-config --namespace oidc', 'jwt-triage bridge-config --deployment oidc-bridge --namespace oidc --context prod'] },
  async handle(input, ctx) {
    const target = targetOf(input);
    const findings: Finding[] = [];
    let env: EnvEntry[];
    let envFrom: string[] = [];
    let names: { deployment?: string; container?: string } = {};
    if (input.env) {
      env = envFromInput(input.env);
    } else {
      try {
        const { d, c } = await pickDeployment(input, target);
        env = c.env;
        envFrom = c.envFrom;
        names = { deployment: `${d.namespace}/${d.name}`, container: c.name };
      } catch (e) {
        if (e instanceof UsageError) throw e;
        findings.push(clusterUnreachable(failureOf(e), 'Reading the bridge Deployment'));
        return { verdict: 'error' as const, summary: findings[0]!.title, findings, settings: [], env_from: [] };
      }
    }
    const settings = settingsOf(env, ctx);
    findings.push(...checkBridgeConfig({ settings, envFrom }));
    let clusterIssuer = input.cluster_issuer;
    if (clusterIssuer === undefined && (!input.env || input.context || input.kubeconfig)) {
      try {
        const disc = await readClusterJson('/.well-known/openid-configuration', target);
        const iss = (disc.json as { issuer?: unknown } | null)?.issuer;
        clusterIssuer = typeof iss === 'string' ? iss : undefined;
      } catch (e) {
        findings.push(clusterUnreachable(failureOf(e), "Reading the API server's issuer"));
      }
    }
    const issuerUrl = settings.find((s) => s.name === 'ISSUER_URL' && s.from === 'value')?.value;
    findings.push(issuerUrl ? checkClusterIssuer(clusterIssuer, { issuer: issuerUrl, from: 'bridge ISSUER_URL' }) : skip('CLUSTER_ISSUER_MISMATCH', { title: 'No literal ISSUER_URL to compare with the API server issuer' }));
    const shown = settings.map((s) => ({ name: s.name, from: s.from, ...(s.value !== undefined && SHOWN.has(s.name) ? { value: s.value } : {}) }));
    return { verdict: 'pass' as const, summary: resultOf(findings, 'The bridge settings follow its rules.').summary, findings, ...names, settings: shown, env_from: envFrom, cluster_issuer: clusterIssuer };
  },
  text: (o) => [...(o.deployment ? [`deployment: ${o.deployment} (container ${o.container})`] : []), ...o.settings.map((s) => `${s.name}: ${s.value ?? `(${s.from})`}`), `API server issuer: ${o.cluster_issuer ?? '(not read)'}`],
});

export default [getClusterOidc, checkPublicReachability, checkBridgeLogsTool, checkBridgeConfigTool];
