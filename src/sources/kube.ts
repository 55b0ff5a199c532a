/**
 * Kubernetes facts through the real `kubectl` (./kubectl.ts): pods by name or label
 * selector, a pod's logs (since / tail), a Deployment's containers and env. Facts only:
 * nothing is judged here. Env values are returned as given; the caller registers secret
 * ones with the redactor before anything else touches them. A saved log file is read here too.
 */
import { SourceError } from './errors.js';
import { readBoundedFile } from './file.js';
import { kubectl, type KubeTarget } from './kubectl.js';

export interface PodFacts {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  containers: string[];
  phase?: string | undefined;
  restarts: number;
}

export type EnvSource = 'value' | 'secretKeyRef' | 'configMapKeyRef' | 'fieldRef' | 'resourceFieldRef' | 'other';

export interface EnvEntry {
  name: string;
  from: EnvSource;
  /** Only for `from: 'value'`. May be a secret: register it before use. */
  value?: string | undefined;
  /** For secretKeyRef / configMapKeyRef: `<name>/<key>`. */
  ref?: string | undefined;
}

export interface ContainerFacts {
  name: string;
  env: EnvEntry[];
  /** `envFrom` sources: `secret:<name>` / `configMap:<name>` (their keys are not read). */
  envFrom: string[];
}

export interface DeploymentFacts {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  containers: ContainerFacts[];
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const labelsOf = (v: unknown): Record<string, string> => Object.fromEntries(Object.entries(obj(v)).filter((e): e is [string, string] => typeof e[1] === 'string'));

// Every value is passed as `--flag=value` and every name after `--`: no input can become a flag.
const nsArgs = (namespace?: string) => (namespace ? [`--namespace=${namespace}`] : []);
const selectorArgs = (selector?: string) => (selector ? [`--selector=${selector}`] : []);

async function getJson(resource: string, flags: string[], name: string | undefined, target: KubeTarget): Promise<Obj> {
  const { stdout } = await kubectl(['get', resource, ...flags, '--output=json', ...(name !== undefined ? ['--', name] : [])], target);
  try {
    return obj(JSON.parse(stdout));
  } catch {
    throw new SourceError('SOURCE_NOT_JSON', `kubectl get ${resource} did not return JSON.`, {});
  }
}

function podFacts(raw: unknown): PodFacts {
  const p = obj(raw);
  const meta = obj(p.metadata);
  const statuses = arr(obj(p.status).containerStatuses).map(obj);
  return {
    name: str(meta.name) ?? '',
    namespace: str(meta.namespace) ?? '',
    labels: labelsOf(meta.labels),
    containers: arr(obj(p.spec).containers).map((c) => str(obj(c).name) ?? ''),
    phase: str(obj(p.status).phase),
    restarts: statuses.reduce((n, s) => n + (typeof s.restartCount === 'number' ? s.restartCount : 0), 0),
  };
}

/** One pod by name, or the pods a label selector matches (possibly none). */
export async function getPods(target: KubeTarget, q: { namespace?: string | undefined; name?: string | undefined; selector?: string | undefined }): Promise<PodFacts[]> {
  if (q.name) return [podFacts(await getJson('pod', nsArgs(q.namespace), q.name, target))];
  const json = await getJson('pods', [...nsArgs(q.namespace), ...selectorArgs(q.selector)], undefined, target);
  return arr(json.items).map(podFacts);
}

/** A pod's log text (`kubectl logs`): `since` is a kubectl duration (`1h`, `30m`), `tail` a line count. */
export async function podLogs(
  target: KubeTarget,
  q: { namespace?: string | undefined; pod: string; container?: string | undefined; since?: string | undefined; tail?: number | undefined },
): Promise<string> {
  const args = ['logs', ...nsArgs(q.namespace)];
  if (q.container) args.push(`--container=${q.container}`);
  if (q.since) args.push(`--since=${q.since}`);
  if (q.tail !== undefined) args.push(`--tail=${q.tail}`);
  args.push('--', q.pod);
  return (await kubectl(args, target)).stdout;
}

function envEntry(raw: unknown): EnvEntry {
  const e = obj(raw);
  const name = str(e.name) ?? '';
  if ('value' in e) return { name, from: 'value', value: str(e.value) ?? '' };
  const vf = obj(e.valueFrom);
  if (!('valueFrom' in e)) return { name, from: 'value', value: '' };
  for (const kind of ['secretKeyRef', 'configMapKeyRef'] as const) {
    if (kind in vf) return { name, from: kind, ref: `${str(obj(vf[kind]).name) ?? ''}/${str(obj(vf[kind]).key) ?? ''}` };
  }
  if ('fieldRef' in vf) return { name, from: 'fieldRef' };
  if ('resourceFieldRef' in vf) return { name, from: 'resourceFieldRef' };
  return { name, from: 'other' };
}

function deploymentFacts(raw: unknown): DeploymentFacts {
  const d = obj(raw);
  const meta = obj(d.metadata);
  const containers = arr(obj(obj(obj(d.spec).template).spec).containers).map((c): ContainerFacts => {
    const co = obj(c);
    const envFrom = arr(co.envFrom).map((f) => {
      const fo = obj(f);
      if ('secretRef' in fo) return `secret:${str(obj(fo.secretRef).name) ?? ''}`;
      return `configMap:${str(obj(fo.configMapRef).name) ?? ''}`;
    });
    return { name: str(co.name) ?? '', env: arr(co.env).map(envEntry), envFrom };
  });
  return { name: str(meta.name) ?? '', namespace: str(meta.namespace) ?? '', labels: labelsOf(meta.labels), containers };
}

/** One Deployment by name, or the Deployments a label selector matches. */
export async function getDeployments(target: KubeTarget, q: { namespace?: string | undefined; name?: string | undefined; selector?: string | undefined }): Promise<DeploymentFacts[]> {
  if (q.name) return [deploymentFacts(await getJson('deployment', nsArgs(q.namespace), q.name, target))];
  const json = await getJson('deployments', [...nsArgs(q.namespace), ...selectorArgs(q.selector)], undefined, target);
  return arr(json.items).map(deploymentFacts);
}

/** A saved log file (e.g. `kubectl logs … > bridge.log`), at most `maxBytes`. */
export async function readLogFile(path: string, maxBytes = 8 * 1024 * 1024): Promise<string> {
  return readBoundedFile(path, maxBytes);
}
