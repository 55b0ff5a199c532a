/**
 * Kubernetes facts for the EKS credential checks, through the real `kubectl get … -o json`
 * (./kubectl.ts: read verbs only, a timeout): a ServiceAccount, pods with the parts the
 * webhook touches (env, projected token volumes, securityContext), the mutating webhook
 * configurations, and the Pod Identity agent's pods. Facts only. Env VALUES are kept only
 * for the non-secret AWS_* names the webhook writes; static keys are kept by name alone.
 */
import { SourceError } from './errors.js';
import { kubectl, type KubeTarget } from './kubectl.js';
import type { EksContainerFacts, EksEnvFact, EksPodFacts, ProjectedTokenFact, ServiceAccountFacts, WebhookFacts } from '../checks/eks/facts.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);
const strMap = (v: unknown): Record<string, string> => Object.fromEntries(Object.entries(obj(v)).filter((e): e is [string, string] => typeof e[1] === 'string'));

/** Env names whose values are configuration, never secrets. */
const KEEP_VALUE = new Set(['AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_STS_REGIONAL_ENDPOINTS']);

async function getJson(args: string[], target: KubeTarget): Promise<Obj> {
  const { stdout } = await kubectl(['get', ...args, '-o', 'json'], target);
  try {
    return obj(JSON.parse(stdout));
  } catch {
    throw new SourceError('SOURCE_NOT_JSON', `kubectl get ${args[0]} did not return JSON.`, {});
  }
}

function envFact(raw: unknown): EksEnvFact {
  const e = obj(raw);
  const name = str(e.name) ?? '';
  if ('valueFrom' in e) {
    const vf = obj(e.valueFrom);
    const from = ['secretKeyRef', 'configMapKeyRef', 'fieldRef'].find((k) => k in vf) ?? 'other';
    return { name, from };
  }
  return KEEP_VALUE.has(name) ? { name, from: 'value', value: str(e.value) ?? '' } : { name, from: 'value' };
}

function containerFact(raw: unknown, init: boolean): EksContainerFacts {
  const c = obj(raw);
  const sc = obj(c.securityContext);
  return {
    name: str(c.name) ?? '',
    init,
    env: arr(c.env).map(envFact),
    envFrom: arr(c.envFrom).map((f) => ('secretRef' in obj(f) ? `secret:${str(obj(obj(f).secretRef).name) ?? ''}` : `configMap:${str(obj(obj(f).configMapRef).name) ?? ''}`)),
    volumeMounts: arr(c.volumeMounts).map((m) => str(obj(m).name) ?? ''),
    runAsUser: num(sc.runAsUser),
    runAsNonRoot: bool(sc.runAsNonRoot),
  };
}

export function eksPodFacts(raw: unknown): EksPodFacts {
  const p = obj(raw);
  const meta = obj(p.metadata);
  const spec = obj(p.spec);
  const sc = obj(spec.securityContext);
  const projectedTokens: ProjectedTokenFact[] = arr(spec.volumes).flatMap((v) => {
    const vo = obj(v);
    return arr(obj(vo.projected).sources).map((s) => obj(obj(s).serviceAccountToken)).filter((t) => Object.keys(t).length > 0)
      .map((t) => ({ volume: str(vo.name) ?? '', audience: str(t.audience), expirationSeconds: num(t.expirationSeconds), path: str(t.path) ?? '' }));
  });
  return {
    name: str(meta.name) ?? '',
    namespace: str(meta.namespace) ?? '',
    serviceAccount: str(spec.serviceAccountName) ?? 'default',
    createdAt: str(meta.creationTimestamp),
    nodeName: str(spec.nodeName),
    labels: strMap(meta.labels),
    annotations: strMap(meta.annotations),
    nodeSelector: strMap(spec.nodeSelector),
    projectedTokens,
    fsGroup: num(sc.fsGroup),
    runAsUser: num(sc.runAsUser),
    runAsNonRoot: bool(sc.runAsNonRoot),
    containers: [...arr(spec.initContainers).map((c) => containerFact(c, true)), ...arr(spec.containers).map((c) => containerFact(c, false))],
  };
}

export async function getServiceAccount(target: KubeTarget, namespace: string, name: string): Promise<ServiceAccountFacts> {
  const sa = await getJson(['serviceaccount', name, '-n', namespace], target);
  const meta = obj(sa.metadata);
  return { name: str(meta.name) ?? name, namespace: str(meta.namespace) ?? namespace, annotations: strMap(meta.annotations) };
}

export async function getEksPod(target: KubeTarget, namespace: string, name: string): Promise<EksPodFacts> {
  return eksPodFacts(await getJson(['pod', name, '-n', namespace], target));
}

/** The pods in `namespace` that run as `serviceAccount` (newest first). */
export async function podsOfServiceAccount(target: KubeTarget, namespace: string, serviceAccount: string): Promise<EksPodFacts[]> {
  const list = await getJson(['pods', '-n', namespace], target);
  return arr(list.items).map(eksPodFacts).filter((p) => p.serviceAccount === serviceAccount)
    .sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
}

/** Webhooks of the MutatingWebhookConfigurations that look like the pod identity webhook. */
export async function getPodIdentityWebhooks(target: KubeTarget): Promise<WebhookFacts[]> {
  const list = await getJson(['mutatingwebhookconfigurations'], target);
  return arr(list.items).flatMap((c) => {
    const configuration = str(obj(obj(c).metadata).name) ?? '';
    return arr(obj(c).webhooks).map((w) => ({ configuration, name: str(obj(w).name) ?? '', failurePolicy: str(obj(w).failurePolicy) }));
  }).filter((w) => /pod-identity|iam-for-pods/i.test(`${w.configuration} ${w.name}`));
}

/** How many Pod Identity agent pods (eks-pod-identity-agent-*) run in kube-system. */
export async function countAgentPods(target: KubeTarget): Promise<number> {
  const list = await getJson(['pods', '-n', 'kube-system'], target);
  return arr(list.items).filter((p) => (str(obj(obj(p).metadata).name) ?? '').startsWith('eks-pod-identity-agent')).length;
}
