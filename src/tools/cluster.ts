/**
 * Cluster and OIDC-bridge tools: get_cluster_oidc, check_public_reachability,
 * check_bridge_logs, check_bridge_config. Sources (kubectl, the safe fetch, a log file) →
 * checks (bridge/*, reachability, discovery, jwks/*) → result. Log lines are never echoed
 * and secret settings are never read or shown.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { checkBridgeConfig } from '../checks/bridge/config.js';
import { checkClusterIssuer, clusterReached } from '../checks/bridge/cluster.js';
import { checkBridgeLogs } from '../checks/bridge/log-findings.js';
import { skip, worstFirst, type Finding } from '../checks/finding.js';
import { checkConsumerLimits } from '../checks/jwks/consumer.js';
import { gatherBridgeDeployment, gatherBridgeLogs, gatherClusterOidc, parsedLog, settingsOf } from '../gather/cluster.js';
import { addressFindings, privateCaCheck, reachOnce, type ReachAttempt } from '../gather/reachability.js';
import { BRIDGE_OPTIONAL, BRIDGE_REQUIRED, BRIDGE_SELECTOR, isSecretSetting } from '../presets/bridge.js';
import { UsageError } from '../sources/errors.js';
import { readLogFile, type EnvEntry } from '../sources/kube.js';
import { discoveryUrl } from '../sources/oidc.js';
import { tokenInputShape } from '../sources/secret-ref.js';
import { k8sLabel, k8sName, k8sSelector, kubeContext, kubeconfigPath } from './k8s-inputs.js';
import { loadOptionalToken } from './token-input.js';
import { defineTool, resultOf, resultSchema } from './define.js';

// ── shared pieces ────────────────────────────────────────────────────────────

const kubeShape = {
  context: kubeContext().optional().describe('kubeconfig context (default: current).'),
  kubeconfig: kubeconfigPath().optional().describe('kubeconfig file (default KUBECONFIG, ~/.kube/config).'),
};
const namespaceInput = k8sLabel('namespace').optional().describe("The bridge's namespace (default: the context's namespace).");
const selectorInput = k8sSelector().optional().describe(`Label selector for the bridge (default: ${BRIDGE_SELECTOR}, the Helm chart's component label).`);

const keySchema = z.object({ kid: z.string().optional(), kty: z.string().optional(), alg: z.string().optional(), use: z.string().optional() });

// ── get_cluster_oidc ─────────────────────────────────────────────────────────

const getClusterOidc = defineTool({
  name: 'get_cluster_oidc',
  toolsets: ['cluster'],
  title: "Read the cluster's own OIDC issuer and JWKS",
  description:
    "Reads the Kubernetes API server's own discovery document and JWKS with `kubectl get --raw` (no shell, with a timeout): issuer, jwks_uri and the signing keys (kid/kty/alg). Use it to compare the cluster with the public bridge: give expected_issuer (the public bridge URL) to check the API server's --service-account-issuer. A missing kubectl, an unreachable cluster or rejected credentials is a CLUSTER_UNREACHABLE finding that says which.",
  input: () => z.object({
    ...kubeShape,
    expected_issuer: z.string().optional().describe('The public issuer URL (the bridge ISSUER_URL) the API server must use as --service-account-issuer.'),
  }),
  output: () => resultSchema({
    issuer: z.string().optional().describe("The API server's issuer (the iss of its service-account tokens)."),
    jwks_uri: z.string().optional(),
    keys: z.array(keySchema).describe('The cluster signing keys (public facts only).'),
    elapsed_ms: z.number().optional(),
  }),
  type: 'readOnly',
  network: true,
  cli: { command: 'cluster-oidc', summary: "The cluster's own issuer and JWKS via kubectl", examples: ['jwt-triage cluster-oidc --context prod --expected-issuer https://oidc.example.ts.net'] },
  async handle(input, ctx) {
    const c = await gatherClusterOidc(ctx, input);
    if (!c.discovery || !c.jwks) return { ...resultOf(c.findings, 'The cluster could not be read.'), keys: [] };
    const expected = input.expected_issuer ? { issuer: input.expected_issuer, from: 'expected issuer (the public bridge URL)' } : undefined;
    const elapsed = c.discovery.elapsedMs + c.jwks.elapsedMs;
    const findings = [clusterReached('discovery and JWKS', elapsed), checkClusterIssuer(c.issuer, expected), ...c.findings, ...checkConsumerLimits(c.keys, c.jwks.bytes, 'bridge')];
    return {
      ...resultOf(findings, `The cluster issuer is ${c.issuer ?? '(none)'} with ${c.keys.length} key(s).`),
      issuer: c.issuer,
      jwks_uri: c.jwksUri,
      keys: c.keys.map((k) => ({ kid: k.kid, kty: k.kty, alg: k.alg, use: k.use })),
      elapsed_ms: elapsed,
    };
  },
  text: (o) => [`issuer: ${o.issuer ?? '(none)'}`, `jwks_uri: ${o.jwks_uri ?? '(none)'}`, `kids: ${o.keys.map((k) => `${k.kid ?? '?'} (${k.kty ?? '?'} ${k.alg ?? '?'})`).join(', ') || '(none)'}`],
});

// ── check_public_reachability ────────────────────────────────────────────────

const checkPublicReachability = defineTool({
  name: 'check_public_reachability',
  toolsets: ['default', 'web-identity'],
  title: 'Fetch discovery and JWKS the way AWS STS would',
  description:
    "The AWS's-eye view of an issuer (e.g. the OIDC bridge over Tailscale Funnel): fetches <issuer>/.well-known/openid-configuration and its jwks_uri with public-CA TLS, measures latency against the ~5 s STS waits, checks the token's kid is served, and can retry on a schedule (attempts, interval_seconds, with progress) while Funnel propagates. Warns when the host resolves to a Tailscale address from here (success then proves nothing for AWS). Give issuer, or a token (token_file / token_env) to use its iss and kid.",
  input: () => z.object({
    issuer: z.string().optional().describe("The issuer URL (default: the token's iss)."),
    ...tokenInputShape,
    attempts: z.number().int().min(1).max(30).default(1).describe('How many times to try until discovery and JWKS both succeed (for Funnel propagation).'),
    interval_seconds: z.number().min(0).max(300).default(15).describe('Seconds to wait between attempts.'),
  }),
  output: () => resultSchema({
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
    if (!URL.canParse(issuer)) throw new UsageError(`The issuer "${issuer.slice(0, 120)}" is not a URL.`, 'Pass the issuer as an https URL, e.g. https://oidc.example.ts.net.');
    const expected = iss ? { issuer: iss, from: 'token iss' } : { issuer, from: 'issuer given' };
    const rows: ReachAttempt['row'][] = [];
    let last: ReachAttempt | undefined;
    for (let n = 1; n <= input.attempts; n++) {
      ctx.progress(n - 1, input.attempts, `attempt ${n} of ${input.attempts}: ${discoveryUrl(issuer)}`);
      // A fresh memo per attempt: each retry fetches again.
      last = await reachOnce({ ...ctx, memo: new Map() }, n, issuer, expected, kid, { fresh: true });
      rows.push(last.row);
      if (last.ok || n === input.attempts || ctx.signal.aborted) break;
      await sleep(input.interval_seconds * 1000, undefined, { signal: ctx.signal }).catch(() => undefined);
    }
    ctx.progress(rows.length, input.attempts, last?.ok ? 'reachable' : 'not reachable');
    const a = last!;
    const { addresses, finding: tailnet } = addressFindings(issuer, a);
    const ca = a.ok ? await privateCaCheck(ctx, issuer) : undefined;
    const findings = [...a.findings, tailnet, ...(ca ? [ca] : [])];
    const warned = worstFirst(findings).find((f) => f.status === 'warn');
    const okText = rows.length > 1 ? `Reachable as AWS would fetch it, after ${rows.length} attempts.` : 'Reachable as AWS would fetch it: discovery and JWKS served in time.';
    return {
      ...resultOf(findings, okText),
      ...(a.ok ? { summary: okText + (warned ? ` But: ${warned.title}.` : '') } : {}),
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

const checkBridgeLogsTool = defineTool({
  name: 'check_bridge_logs',
  toolsets: ['cluster'],
  title: "Classify the OIDC bridge's log events",
  description:
    'Why is the OIDC bridge failing? Reads its logs (kubectl logs of the pods matching the selector, or a saved log_file), parses the slog JSON events (never the message text) and classifies failures: in-cluster JWKS fetch, Tailscale login, Funnel not permitted for the tag, issuer host vs certificate, a silent startup stop (config: run check_bridge_config). Count, first/last and the fix per event; lines are never echoed.',
  input: () => z.object({
    ...kubeShape,
    namespace: namespaceInput,
    pod: k8sName('pod').optional().describe('The bridge pod name (default: the pods matching selector).'),
    selector: selectorInput,
    container: k8sLabel('container').optional().describe("Container name (default: kubectl's default container)."),
    since: z.string().regex(/^\d+(s|m|h)$/).optional().describe('Only lines newer than this (kubectl duration: 30m, 2h).'),
    tail: z.number().int().min(1).max(100000).default(5000).describe('At most this many lines per pod (the newest).'),
    log_file: z.string().optional().describe('Read a saved log file instead of kubectl logs.'),
  }),
  output: () => resultSchema({
    source: z.string().describe('kubectl logs pod/<ns>/<name>, or file:<path>.'),
    pods: z.array(z.object({ name: z.string(), namespace: z.string(), phase: z.string().optional(), restarts: z.number(), lines: z.number() })),
    lines_read: z.number(),
    lines_parsed: z.number(),
    events: z.array(eventSchema).describe('Per event: count, first/last time and the known fields (no message text).'),
  }),
  type: 'readOnly',
  network: true,
  cli: { command: 'bridge-logs', summary: "Classify the OIDC bridge's log events", examples: ['jwt-triage bridge-logs --namespace oidc --since 2h', 'jwt-triage bridge-logs --log-file bridge.log'] },
  async handle(input, ctx) {
    if (input.log_file !== undefined && (input.pod !== undefined || input.selector !== undefined)) throw new UsageError('log_file and pod/selector were both given.', 'Pass log_file alone, or pod/selector without log_file.');
    const got = input.log_file !== undefined
      ? { source: `file:${input.log_file}`, pods: [], ...parsedLog(await readLogFile(input.log_file)), findings: [] }
      : await gatherBridgeLogs(ctx, input);
    if (got.findings.length) return { ...resultOf(got.findings, 'The bridge logs could not be read.'), source: got.source, pods: [], lines_read: 0, lines_parsed: 0, events: [] };
    const findings = checkBridgeLogs(got.events, { lines: got.lines, unparsed: got.unparsed });
    return { ...resultOf(findings, `No bridge failure events in ${got.lines} line(s).`), source: got.source, pods: got.pods, lines_read: got.lines, lines_parsed: got.parsedLines, events: got.events };
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

const checkBridgeConfigTool = defineTool({
  name: 'check_bridge_config',
  toolsets: ['cluster'],
  title: "Check the OIDC bridge Deployment's settings",
  description:
    'Is the OIDC bridge configured as it requires? From its Deployment (kubectl get) or an env object: required settings, ISSUER_URL https and host-only with host <TS_HOSTNAME>.<tailnet>.ts.net, TS_TAG starting tag:, removed settings, secrets kept in Secrets, and the API server\'s issuer = ISSUER_URL. Use when the bridge stops at startup (it prints no config error). Secret values are never read or shown.',
  input: () => z.object({
    ...kubeShape,
    namespace: namespaceInput,
    deployment: k8sName('deployment').optional().describe('The bridge Deployment name (default: the one matching selector).'),
    selector: selectorInput,
    container: k8sLabel('container').optional().describe('Container name (default: the one with ISSUER_URL).'),
    env: z.record(z.string(), z.string()).optional().describe('The settings instead of reading the Deployment: NAME → value, or "secretKeyRef:<secret>/<key>" for one taken from a Secret.'),
    cluster_issuer: z.string().optional().describe("The API server's issuer, if known (default: read with kubectl unless only env is given)."),
  }),
  output: () => resultSchema({
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
    const findings: Finding[] = [];
    let env: EnvEntry[];
    let envFrom: string[] = [];
    let names: { deployment?: string; container?: string } = {};
    if (input.env) {
      env = envFromInput(input.env);
    } else {
      const d = await gatherBridgeDeployment(ctx, input);
      if (d.findings.length) return { ...resultOf(d.findings, 'The bridge Deployment could not be read.'), settings: [], env_from: [] };
      env = d.env;
      envFrom = d.envFrom;
      names = { deployment: d.deployment, container: d.container };
    }
    const settings = settingsOf(env, ctx);
    findings.push(...checkBridgeConfig({ settings, envFrom }));
    let clusterIssuer = input.cluster_issuer;
    if (clusterIssuer === undefined && (!input.env || input.context || input.kubeconfig)) {
      const c = await gatherClusterOidc(ctx, input);
      clusterIssuer = c.issuer;
      if (!c.discovery) findings.push(...c.findings);
    }
    const issuerUrl = settings.find((s) => s.name === 'ISSUER_URL' && s.from === 'value')?.value;
    findings.push(issuerUrl ? checkClusterIssuer(clusterIssuer, { issuer: issuerUrl, from: 'bridge ISSUER_URL' }) : skip('CLUSTER_ISSUER_MISMATCH', { title: 'No literal ISSUER_URL to compare with the API server issuer' }));
    const shown = settings.map((s) => ({ name: s.name, from: s.from, ...(s.value !== undefined && SHOWN.has(s.name) ? { value: s.value } : {}) }));
    return { ...resultOf(findings, 'The bridge settings follow its rules.'), ...names, settings: shown, env_from: envFrom, cluster_issuer: clusterIssuer };
  },
  text: (o) => [...(o.deployment ? [`deployment: ${o.deployment} (container ${o.container})`] : []), ...o.settings.map((s) => `${s.name}: ${s.value ?? `(${s.from})`}`), `API server issuer: ${o.cluster_issuer ?? '(not read)'}`],
});

export default [getClusterOidc, checkPublicReachability, checkBridgeLogsTool, checkBridgeConfigTool];
