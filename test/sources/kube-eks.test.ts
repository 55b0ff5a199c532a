import { describe, expect, it } from 'vitest';
import { eksPodFacts } from '../../src/sources/kube-eks.js';

describe('eksPodFacts (the pod as kubectl get -o json returns it)', () => {
  const pod = {
    metadata: { name: 'p', namespace: 'apps', creationTimestamp: '2026-09-01T00:00:00Z', labels: { app: 'x' }, annotations: { 'eks.amazonaws.com/skip-containers': 'sidecar' } },
    spec: {
      serviceAccountName: 'uploader', nodeName: 'ip-1', securityContext: { fsGroup: 65534, runAsUser: 1000 },
      initContainers: [{ name: 'init', env: [] }],
      containers: [{
        name: 'main',
        securityContext: { runAsNonRoot: true },
        env: [
          { name: 'AWS_ROLE_ARN', value: 'arn:aws:iam::123456789012:role/r' },
          { name: 'AWS_SECRET_ACCESS_KEY', value: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
          { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 'aws', key: 'id' } } },
          { name: 'DATABASE_PASSWORD', value: 'hunter2' },
        ],
        envFrom: [{ secretRef: { name: 'more' } }],
        volumeMounts: [{ name: 'aws-iam-token', mountPath: '/var/run/secrets/eks.amazonaws.com/serviceaccount' }],
      }],
      volumes: [{ name: 'aws-iam-token', projected: { sources: [{ serviceAccountToken: { audience: 'sts.amazonaws.com', expirationSeconds: 86400, path: 'token' } }] } }, { name: 'cfg', configMap: { name: 'c' } }],
    },
  };
  it('keeps the webhook\'s configuration values and drops every other env value', () => {
    const f = eksPodFacts(pod);
    const main = f.containers.find((c) => c.name === 'main')!;
    expect(main.env).toEqual([
      { name: 'AWS_ROLE_ARN', from: 'value', value: 'arn:aws:iam::123456789012:role/r' },
      { name: 'AWS_SECRET_ACCESS_KEY', from: 'value' },
      { name: 'AWS_ACCESS_KEY_ID', from: 'secretKeyRef' },
      { name: 'DATABASE_PASSWORD', from: 'value' },
    ]);
    expect(JSON.stringify(f)).not.toMatch(/wJalrXUtnFEMI|hunter2/);
  });
  it('reads projected tokens, securityContext, init containers and the service account', () => {
    const f = eksPodFacts(pod);
    expect(f).toMatchObject({ serviceAccount: 'uploader', fsGroup: 65534, runAsUser: 1000, nodeName: 'ip-1', createdAt: '2026-09-01T00:00:00Z' });
    expect(f.projectedTokens).toEqual([{ volume: 'aws-iam-token', audience: 'sts.amazonaws.com', expirationSeconds: 86400, path: 'token' }]);
    expect(f.containers.map((c) => [c.name, c.init])).toEqual([['init', true], ['main', false]]);
    expect(f.containers[1]).toMatchObject({ runAsNonRoot: true, envFrom: ['secret:more'], volumeMounts: ['aws-iam-token'] });
    expect(eksPodFacts({ spec: {} }).serviceAccount).toBe('default');
  });
});
