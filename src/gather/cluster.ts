/**
 * The cluster and the OIDC bridge, through kubectl (get and logs only): the API server's own
 * discovery document and JWKS, the bridge Deployment's settings, and its log events. Each is
 * read once per call; kubectl failures become CLUSTER_UNREACHABLE findings.
 */
import type { SettingFact } from '../checks/bridge/config.js';
import { parseBridgeLog, summarizeEvents, type EventSummary } from '../checks/bridge/log-parse.js';
import type { Finding } from '../checks/finding.js';
import { readKeySet, type KeyFacts } from '../checks/jwks/keys.js';
import { BRIDGE_SELECTOR, isSecretSetting } from '../presets/bridge.js';
import { UsageError } from '../sources/errors.js';
import { getDeployments, getPods, podLogs, type DeploymentFacts, type EnvEntry } from '../sources/kube.js';
import type { KubeTarget } from '../sources/kubectl.js';
import { readClusterJson, type Fetched } from '../sources/oidc.js';
import { once, type GatherContext } from './context.js';
import { asFailure, failureFinding } from './failure.js';

export interface KubeInput {
  context?: string | undefined;
  kubeconfig?: string | undefined;
}

export const targetOf = (ctx: GatherContext, i: KubeInput): KubeTarget => ({ context: i.context, kubeconfig: i.kubeconfig, timeoutMs: 15000, signal: ctx.signal });
const targetKey = (i: KubeInput) => `${i.context ?? ''}:${i.kubeconfig ?? ''}`;

export interface ClusterOidcGathered {
  discovery?: Fetched | undefined;
  jwks?: Fetched | undefined;
  issuer?: string | undefined;
  jwksUri?: string | undefined;
  keys: KeyFacts[];
  /** Key-set problems (readKeySet) or the kubectl failure. */
  findings: Finding[];
}

/** The API server's discovery document and JWKS (`kubectl get --raw`). */
export function gatherClusterOidc(ctx: GatherContext, kube: KubeInput): Promise<ClusterOidcGathered> {
  return once(ctx, `cluster-oidc:${targetKey(kube)}`, async () => {
    const target = targetOf(ctx, kube);
    ctx.progress(0, undefined, 'reading the cluster issuer and JWKS with kubectl');
    try {
      const [discovery, jwks] = await Promise.all([readClusterJson('/.well-known/openid-configuration', target), readClusterJson('/openid/v1/jwks', target)]);
      const doc = (discovery.json && typeof discovery.json === 'object' ? discovery.json : {}) as Record<string, unknown>;
      const set = await readKeySet(jwks.json);
      return {
        discovery,
        jwks,
        issuer: typeof doc.issuer === 'string' ? doc.issuer : undefined,
        jwksUri: typeof doc.jwks_uri === 'string' ? doc.jwks_uri : undefined,
        keys: set.keys,
        findings: set.findings,
      };
    } catch (e) {
      return { keys: [], findings: [failureFinding(e, { kube: 'Reading the cluster OIDC documents' })] };
    }
  });
}

export interface BridgeQuery extends KubeInput {
  namespace?: string | undefined;
  deployment?: string | undefined;
  selector?: string | undefined;
  container?: string | undefined;
}

export interface BridgeDeploymentGathered {
  deployment?: string | undefined;
  container?: string | undefined;
  env: EnvEntry[];
  envFrom: string[];
  findings: Finding[];
}

/** The bridge Deployment (one, by name or selector) and its container's env, as references. */
export function gatherBridgeDeployment(ctx: GatherContext, q: BridgeQuery): Promise<BridgeDeploymentGathered> {
  return once(ctx, `bridge-deployment:${targetKey(q)}:${q.namespace ?? ''}:${q.deployment ?? ''}:${q.selector ?? ''}:${q.container ?? ''}`, async () => {
    let found: DeploymentFacts[];
    try {
      found = await getDeployments(targetOf(ctx, q), { namespace: q.namespace, name: q.deployment, selector: q.deployment ? undefined : (q.selector ?? BRIDGE_SELECTOR) });
    } catch (e) {
      return { env: [], envFrom: [], findings: [failureFinding(e, { kube: 'Reading the bridge Deployment' })] };
    }
    if (found.length !== 1) {
      throw new UsageError(found.length ? `${found.length} Deployments match: ${found.map((d) => d.name).join(', ')}.` : `No Deployment matches ${q.selector ?? BRIDGE_SELECTOR}${q.namespace ? ` in namespace ${q.namespace}` : ''}.`, 'Pass the bridge Deployment name and namespace.');
    }
    const d = found[0]!;
    const c = q.container ? d.containers.find((x) => x.name === q.container) : (d.containers.find((x) => x.env.some((e) => e.name === 'ISSUER_URL')) ?? d.containers[0]);
    if (!c) throw new UsageError(`Deployment ${d.name} has no container ${q.container ?? ''}.`, `Containers: ${d.containers.map((x) => x.name).join(', ')}.`);
    return { deployment: `${d.namespace}/${d.name}`, container: c.name, env: c.env, envFrom: c.envFrom, findings: [] };
  });
}

/** Registers secret literals, then keeps values only for non-secret settings. */
export function settingsOf(env: EnvEntry[], ctx: GatherContext): SettingFact[] {
  return env.map((e) => {
    if (isSecretSetting(e.name) && e.value) ctx.secret(e.value, 'secret');
    return { name: e.name, from: e.from, value: isSecretSetting(e.name) ? (e.value ? '(set)' : '') : e.value };
  });
}

export interface BridgeLogQuery extends KubeInput {
  namespace?: string | undefined;
  pod?: string | undefined;
  selector?: string | undefined;
  container?: string | undefined;
  since?: string | undefined;
  tail: number;
}

export interface PodSeen {
  name: string;
  namespace: string;
  phase?: string | undefined;
  restarts: number;
  lines: number;
}

export interface BridgeLogsGathered {
  source: string;
  pods: PodSeen[];
  lines: number;
  parsedLines: number;
  unparsed: number;
  events: EventSummary[];
  /** Set when the logs could not be read. */
  findings: Finding[];
}

const MAX_PODS = 5;

/** The bridge pods' logs (kubectl logs, newest `tail` lines per pod), parsed into event summaries. */
export function gatherBridgeLogs(ctx: GatherContext, q: BridgeLogQuery): Promise<BridgeLogsGathered> {
  return once(ctx, `bridge-logs:${targetKey(q)}:${q.namespace ?? ''}:${q.pod ?? ''}:${q.selector ?? ''}:${q.container ?? ''}:${q.since ?? ''}:${q.tail}`, async () => {
    const target = targetOf(ctx, q);
    const empty = (findings: Finding[]): BridgeLogsGathered => ({ source: 'kubectl logs', pods: [], lines: 0, parsedLines: 0, unparsed: 0, events: [], findings });
    let pods;
    try {
      pods = await getPods(target, { namespace: q.namespace, name: q.pod, selector: q.pod ? undefined : (q.selector ?? BRIDGE_SELECTOR) });
    } catch (e) {
      const fl = asFailure(e);
      if (q.pod && fl.facts?.reason === 'not_found') throw new UsageError(`Pod ${q.pod} was not found${q.namespace ? ` in namespace ${q.namespace}` : ''}.`, 'Check the name and namespace: kubectl get pods -n <ns> --show-labels');
      return empty([failureFinding(e, { kube: 'Reading the bridge logs' })]);
    }
    if (pods.length === 0) {
      throw new UsageError(`No pod matches ${q.selector ?? BRIDGE_SELECTOR}${q.namespace ? ` in namespace ${q.namespace}` : ''}.`, 'Pass the pod, or a selector that matches the bridge (kubectl get pods -n <ns> --show-labels), or the namespace.');
    }
    const texts: string[] = [];
    const seen: PodSeen[] = [];
    for (const p of pods.slice(0, MAX_PODS)) {
      try {
        const t = await podLogs(target, { namespace: p.namespace || q.namespace, pod: p.name, container: q.container, since: q.since, tail: q.tail });
        texts.push(t);
        seen.push({ name: p.name, namespace: p.namespace, phase: p.phase, restarts: p.restarts, lines: t.split('\n').filter((l) => l.trim()).length });
      } catch (e) {
        return empty([failureFinding(e, { kube: 'Reading the bridge logs' })]);
      }
    }
    return { source: `kubectl logs ${seen.map((p) => `pod/${p.namespace}/${p.name}`).join(' ')}`, pods: seen, ...parsedLog(texts.join('\n')), findings: [] };
  });
}

/** A log text parsed into event summaries (for a saved log file too). */
export function parsedLog(text: string): Pick<BridgeLogsGathered, 'lines' | 'parsedLines' | 'unparsed' | 'events'> {
  const parsed = parseBridgeLog(text);
  return { lines: parsed.lines, parsedLines: parsed.events.length, unparsed: parsed.unparsed, events: summarizeEvents(parsed.events) };
}
