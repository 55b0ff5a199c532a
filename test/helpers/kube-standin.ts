/**
 * A Kubernetes API server stand-in for the REAL `kubectl`: loopback HTTPS (test CA from
 * ./tls.ts), bearer-token auth (a wrong token gets the API server's 401 `Status`), and a
 * generated kubeconfig (CA data + token + a named context).
 *
 * API:
 *   const kube = await startKubeStandin({ issuer, jwks, pods, deployments });
 *   kube.kubeconfig      // path of a kubeconfig whose current context is `kube.context`
 *   kube.context         // 'standin'
 *   kube.kubeconfigWith({ token: 'wrong' })   // another kubeconfig (e.g. a wrong token → 401)
 *   kube.world.jwks = …  // change anything between calls; every request reads `world` afresh
 *   kube.hits            // request paths seen (with query)
 *   await kube.close()
 *
 * World (all optional): `issuer` (default https://issuer.example.test), `jwks` (default {keys: []}),
 * `discovery` (overrides the generated discovery document), `pods` ({name, namespace='default',
 * labels, containers=['main'], logs: (string | {text, ageSeconds})[]}), `deployments` ({name,
 * namespace='default', labels, env: {NAME: 'value' | {secretKeyRef: {name, key}}}, container='main'}).
 *
 * EKS credential worlds (optional): `pods[].raw` (a whole Pod object served as is: spec with env,
 * volumes, securityContext, serviceAccountName…), `serviceAccounts` ({name, namespace='default',
 * annotations}), `mutatingWebhookConfigurations` (raw MutatingWebhookConfiguration objects).
 *
 * Served: /.well-known/openid-configuration, /openid/v1/jwks, /version, /api, /apis, /api/v1,
 * /apis/apps/v1, pods list/get (labelSelector: `k=v`, `k!=v`, `k`, comma-joined), pod logs
 * (tailLines, sinceSeconds, timestamps), deployments list/get. Unknown paths → 404 `Status`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testPki } from './tls.js';

export type StandinLogLine = string | { text: string; ageSeconds: number };
export type StandinEnvValue = string | { secretKeyRef: { name: string; key: string } };

export interface StandinPod {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  containers?: string[];
  logs?: StandinLogLine[];
  /** The whole Pod object (EKS worlds); metadata.name/namespace are filled from the record. */
  raw?: Record<string, unknown>;
}

export interface StandinServiceAccount {
  name: string;
  namespace?: string;
  annotations?: Record<string, string>;
}

export interface StandinDeployment {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  container?: string;
  env?: Record<string, StandinEnvValue>;
}

export interface KubeWorld {
  issuer: string;
  jwks: unknown;
  discovery?: unknown;
  pods: StandinPod[];
  deployments: StandinDeployment[];
  serviceAccounts?: StandinServiceAccount[];
  mutatingWebhookConfigurations?: Array<Record<string, unknown>>;
}

export interface KubeStandin {
  origin: string;
  token: string;
  context: string;
  kubeconfig: string;
  world: KubeWorld;
  hits: string[];
  kubeconfigWith(opts: { token?: string; server?: string; context?: string }): string;
  close(): Promise<void>;
}

const TOKEN = 'standin-bearer-token-0123456789';

function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

function matches(labels: Record<string, string> = {}, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const t = term.trim();
    if (t.includes('!=')) {
      const [k, v] = t.split('!=') as [string, string];
      return labels[k.trim()] !== v.trim();
    }
    if (t.includes('=')) {
      const [k, v] = t.replace('==', '=').split('=') as [string, string];
      return labels[k.trim()] === v.trim();
    }
    return t.startsWith('!') ? !(t.slice(1) in labels) : t in labels;
  });
}

const CREATED = '2026-01-01T00:00:00Z';

function podJson(p: StandinPod) {
  if (p.raw) return { apiVersion: 'v1', kind: 'Pod', ...p.raw, metadata: { uid: `uid-${p.name}`, creationTimestamp: CREATED, ...(p.raw.metadata as object | undefined), name: p.name, namespace: p.namespace ?? 'default', labels: p.labels ?? {} } };
  const containers = p.containers ?? ['main'];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: p.name, namespace: p.namespace ?? 'default', labels: p.labels ?? {}, uid: `uid-${p.name}`, creationTimestamp: CREATED },
    spec: { containers: containers.map((name) => ({ name, image: `example/${name}:1` })) },
    status: {
      phase: 'Running',
      containerStatuses: containers.map((name) => ({ name, ready: true, restartCount: 0, image: `example/${name}:1`, imageID: '', started: true, state: { running: { startedAt: CREATED } } })),
    },
  };
}

function envJson(env: Record<string, StandinEnvValue> = {}) {
  return Object.entries(env).map(([name, v]) => (typeof v === 'string' ? { name, value: v } : { name, valueFrom: { secretKeyRef: v.secretKeyRef } }));
}

function deploymentJson(d: StandinDeployment) {
  const labels = d.labels ?? { app: d.name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: d.name, namespace: d.namespace ?? 'default', labels, uid: `uid-${d.name}`, creationTimestamp: CREATED, generation: 1 },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: d.container ?? 'main', image: 'example/bridge:1', env: envJson(d.env) }] } },
    },
    status: { replicas: 1, readyReplicas: 1, availableReplicas: 1, observedGeneration: 1 },
  };
}

const list = (kind: string, apiVersion: string, items: unknown[]) => ({ apiVersion, kind, metadata: { resourceVersion: '1' }, items });

const resource = (name: string, kind: string, shortNames: string[] = [], namespaced = true, verbs = ['get', 'list']) => ({
  name,
  singularName: name.includes('/') ? '' : kind.toLowerCase(),
  namespaced,
  kind,
  verbs,
  ...(shortNames.length ? { shortNames } : {}),
});

function logBody(p: StandinPod, q: URLSearchParams): string {
  const now = Date.now();
  let lines = (p.logs ?? []).map((l) => (typeof l === 'string' ? { text: l, ageSeconds: 0 } : l));
  const since = q.get('sinceSeconds');
  if (since !== null) lines = lines.filter((l) => l.ageSeconds <= Number(since));
  const tail = q.get('tailLines');
  if (tail !== null) lines = Number(tail) === 0 ? [] : lines.slice(-Number(tail));
  const stamp = q.get('timestamps') === 'true';
  return lines.map((l) => (stamp ? `${new Date(now - l.ageSeconds * 1000).toISOString()} ` : '') + l.text + '\n').join('');
}

function route(world: KubeWorld, origin: string, path: string, q: URLSearchParams): { status: number; json?: unknown; text?: string } {
  const ok = (json: unknown) => ({ status: 200, json });
  const notFound = (what: string, name: string) => ({ status: 404, json: { ...status(404, 'NotFound', `${what} "${name}" not found`), details: { name, kind: what } } });
  if (path === '/.well-known/openid-configuration') {
    return ok(world.discovery ?? {
      issuer: world.issuer,
      jwks_uri: `${origin}/openid/v1/jwks`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
  }
  if (path === '/openid/v1/jwks') return ok(world.jwks);
  if (path === '/version') return ok({ major: '1', minor: '32', gitVersion: 'v1.32.0-standin', platform: 'linux/amd64' });
  if (path === '/api') return ok({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: origin.replace('https://', '') }] });
  if (path === '/apis') {
    const v = { groupVersion: 'apps/v1', version: 'v1' };
    const a = { groupVersion: 'admissionregistration.k8s.io/v1', version: 'v1' };
    return ok({ kind: 'APIGroupList', apiVersion: 'v1', groups: [{ name: 'apps', versions: [v], preferredVersion: v }, { name: 'admissionregistration.k8s.io', versions: [a], preferredVersion: a }] });
  }
  if (path === '/api/v1') return ok({ kind: 'APIResourceList', groupVersion: 'v1', resources: [resource('pods', 'Pod', ['po']), resource('pods/log', 'Pod', [], true, ['get']), resource('namespaces', 'Namespace', ['ns'], false), resource('serviceaccounts', 'ServiceAccount', ['sa'])] });
  if (path === '/apis/apps/v1') return ok({ kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'apps/v1', resources: [resource('deployments', 'Deployment', ['deploy'])] });

  let m = /^\/api\/v1\/(?:namespaces\/([^/]+)\/)?pods$/.exec(path);
  if (m) {
    const items = world.pods.filter((p) => (!m![1] || (p.namespace ?? 'default') === m![1]) && matches(p.labels, q.get('labelSelector')));
    return ok(list('PodList', 'v1', items.map(podJson)));
  }
  m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)(\/log)?$/.exec(path);
  if (m) {
    const pod = world.pods.find((p) => (p.namespace ?? 'default') === m![1] && p.name === m![2]);
    if (!pod) return notFound('pods', m[2]!);
    return m[3] ? { status: 200, text: logBody(pod, q) } : ok(podJson(pod));
  }
  m = /^\/apis\/apps\/v1\/(?:namespaces\/([^/]+)\/)?deployments(?:\/([^/]+))?$/.exec(path);
  if (m) {
    const inNs = world.deployments.filter((d) => !m![1] || (d.namespace ?? 'default') === m![1]);
    if (!m[2]) return ok(list('DeploymentList', 'apps/v1', inNs.filter((d) => matches(d.labels ?? { app: d.name }, q.get('labelSelector'))).map(deploymentJson)));
    const d = inNs.find((x) => x.name === m![2]);
    return d ? ok(deploymentJson(d)) : notFound('deployments.apps', m[2]);
  }
  if (path === '/apis/admissionregistration.k8s.io/v1') return ok({ kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'admissionregistration.k8s.io/v1', resources: [resource('mutatingwebhookconfigurations', 'MutatingWebhookConfiguration', [], false)] });
  if (path === '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations') {
    return ok(list('MutatingWebhookConfigurationList', 'admissionregistration.k8s.io/v1', (world.mutatingWebhookConfigurations ?? []).map((c) => ({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', ...c }))));
  }
  m = /^\/api\/v1\/namespaces\/([^/]+)\/serviceaccounts\/([^/]+)$/.exec(path);
  if (m) {
    const sa = (world.serviceAccounts ?? []).find((x) => (x.namespace ?? 'default') === m![1] && x.name === m![2]);
    if (!sa) return notFound('serviceaccounts', m[2]!);
    return ok({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa.name, namespace: sa.namespace ?? 'default', annotations: sa.annotations ?? {}, uid: `uid-sa-${sa.name}`, creationTimestamp: CREATED } });
  }
  m = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(path);
  if (m) return ok({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: m[1] }, status: { phase: 'Active' } });
  return { status: 404, json: status(404, 'NotFound', 'the server could not find the requested resource') };
}

export async function startKubeStandin(world: Partial<KubeWorld> = {}): Promise<KubeStandin> {
  const pki = testPki();
  const state: KubeWorld = { issuer: 'https://issuer.example.test', jwks: { keys: [] }, pods: [], deployments: [], ...world };
  const hits: string[] = [];
  const sockets = new Set<Duplex>();
  let origin = '';
  const server = createServer({ cert: pki.cert, key: pki.key }, (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', origin);
    hits.push(url.pathname + url.search);
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify(status(401, 'Unauthorized', 'Unauthorized')));
      return;
    }
    const r = route(state, origin, url.pathname, url.searchParams);
    if (r.text !== undefined) res.writeHead(r.status, { 'content-type': 'text/plain' }).end(r.text);
    else res.writeHead(r.status, { 'content-type': 'application/json' }).end(JSON.stringify(r.json));
  });
  server.on('connection', (s: Duplex) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = mkdtempSync(join(tmpdir(), 'jwt-triage-kube-'));
  let n = 0;
  const kubeconfigWith = (o: { token?: string; server?: string; context?: string }): string => {
    const ctx = o.context ?? 'standin';
    const text = [
      'apiVersion: v1',
      'kind: Config',
      `current-context: ${ctx}`,
      'clusters:',
      '- name: standin',
      '  cluster:',
      `    server: ${o.server ?? origin}`,
      `    certificate-authority-data: ${Buffer.from(pki.caCert).toString('base64')}`,
      'users:',
      '- name: standin',
      '  user:',
      `    token: ${o.token ?? TOKEN}`,
      'contexts:',
      `- name: ${ctx}`,
      '  context:',
      '    cluster: standin',
      '    user: standin',
      '    namespace: default',
      '',
    ].join('\n');
    const file = join(dir, `kubeconfig-${n++}.yaml`);
    writeFileSync(file, text, { mode: 0o600 });
    return file;
  };
  return {
    origin,
    token: TOKEN,
    context: 'standin',
    kubeconfig: kubeconfigWith({}),
    world: state,
    hits,
    kubeconfigWith,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
