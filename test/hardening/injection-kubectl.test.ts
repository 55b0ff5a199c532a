/**
 * Issue 11 §1: no input becomes a kubectl flag. Two layers, both tested:
 *  1. the schema: every field that reaches kubectl (pod, deployment, namespace, container,
 *     selector, context, kubeconfig, a_/b_context, a_/b_kubeconfig) rejects a value that starts
 *     with '-', so hostile values never get past input validation (usage error naming the field);
 *  2. the runner: below the schema, names go after `--` and values as `--flag=value`, so even a
 *     hostile name handed straight to sources/kube.ts is only a name. Proved with the REAL
 *     kubectl against the kube stand-in, and a loopback "elsewhere" server that must see no
 *     connection at all (before the fix, `--server=<elsewhere>` sent the bearer token there).
 */
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDeployments, getPods, podLogs } from '../../src/sources/kube.js';
import { findTool } from '../../src/tools/index.js';
import { runTool } from '../../src/tools/run.js';
import { need } from '../helpers/needs.js';
import { startKubeStandin, type KubeStandin } from '../helpers/kube-standin.js';

let elsewhere: Server;
let elsewherePort = 0;
let connections = 0;

beforeAll(async () => {
  elsewhere = createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((r) => elsewhere.listen(0, '127.0.0.1', r));
  elsewherePort = (elsewhere.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((r) => elsewhere.close(r));
});

const hostile = () => [
  `--server=https://127.0.0.1:${elsewherePort}`,
  '--kubeconfig=/tmp/evil-kubeconfig',
  '-v=9',
  '--raw=/api/v1/secrets',
  '--token=stolen',
  '--insecure-skip-tls-verify',
  '--as=system:admin',
  '-oyaml',
  '-n',
  '--',
];

describe('schema: every kubectl-bound field refuses flag-shaped values', () => {
  const fields: Array<[string, string]> = [
    ['check_bridge_logs', 'pod'],
    ['check_bridge_logs', 'namespace'],
    ['check_bridge_logs', 'container'],
    ['check_bridge_logs', 'selector'],
    ['check_bridge_logs', 'context'],
    ['check_bridge_logs', 'kubeconfig'],
    ['check_bridge_config', 'deployment'],
    ['check_bridge_config', 'namespace'],
    ['check_bridge_config', 'container'],
    ['check_bridge_config', 'selector'],
    ['check_bridge_config', 'context'],
    ['get_cluster_oidc', 'context'],
    ['get_cluster_oidc', 'kubeconfig'],
    ['compare_jwks', 'a_context'],
    ['compare_jwks', 'b_kubeconfig'],
  ];
  it.each(fields)('%s %s', async (tool, field) => {
    const t = findTool(tool)!;
    for (const value of hostile()) {
      const r = await runTool(t, { [field]: value }, { env: { ...process.env, JWT_TRIAGE_KUBECTL: '/nonexistent/kubectl-must-not-run' } });
      expect(r.ok, `${tool} ${field}=${value}`).toBe(false);
      if (!r.ok) {
        expect(r.kind).toBe('usage');
        expect(r.message).toContain(field);
      }
    }
  });

  it('accepts real names (DNS-1123) and selectors', async () => {
    const { k8sLabel, k8sName, k8sSelector } = await import('../../src/tools/k8s-inputs.js');
    expect(k8sName('pod').safeParse('oidc-bridge-7d9f.x-1').success).toBe(true);
    expect(k8sLabel('namespace').safeParse('kube-system').success).toBe(true);
    expect(k8sSelector().safeParse('app.kubernetes.io/component=oidc-proxy,tier!=db').success).toBe(true);
    for (const bad of ['Upper', 'a_b', '-a', 'a-', '', 'a'.repeat(254), 'a/b', 'a b']) expect(k8sName('pod').safeParse(bad).success, bad).toBe(false);
  });
});

describe.skipIf(!need('kubectl'))('runner: a hostile name below the schema is still only a name (real kubectl)', () => {
  let kube: KubeStandin;
  beforeAll(async () => {
    kube = await startKubeStandin({ pods: [{ name: 'bridge-1', namespace: 'oidc', logs: ['{"event":"x"}'] }], deployments: [{ name: 'dep', namespace: 'oidc' }] });
  });
  afterAll(async () => kube.close());

  it('pod, deployment and log names never add a flag or reach another server', async () => {
    const target = { kubeconfig: kube.kubeconfig, timeoutMs: 8000 };
    const before = kube.hits.length;
    for (const name of hostile()) {
      await getPods(target, { namespace: 'oidc', name }).catch(() => undefined);
      await getDeployments(target, { namespace: 'oidc', name }).catch(() => undefined);
      await podLogs(target, { namespace: 'oidc', pod: name }).catch(() => undefined);
    }
    expect(connections).toBe(0);
    // Nothing outside the namespace's pods/deployments was asked for (no --raw, no secrets).
    // (kubectl's own discovery — /api, /apis, /apis/<group>/<version> — is not a read of anything.)
    const asked = kube.hits.slice(before).filter((h) => !/^\/(api|apis|version)(\/v1|\/[a-z0-9.-]+\/v1)?(\?|$)/.test(h));
    for (const h of asked) expect(h).toMatch(/^\/(api\/v1|apis\/apps\/v1)\/namespaces\/oidc(\?|\/(pods|deployments))/);
    // And a real name still works through the same path.
    expect((await getPods(target, { namespace: 'oidc', name: 'bridge-1' }))[0]?.name).toBe('bridge-1');
    expect(await podLogs(target, { namespace: 'oidc', pod: 'bridge-1', tail: 5 })).toContain('"event":"x"');
  }, 60_000);
});
