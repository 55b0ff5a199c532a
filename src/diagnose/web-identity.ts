/**
 * The web-identity preset: what STS AssumeRoleWithWebIdentity does with this token. The token
 * against STS's requirements, the IAM OIDC provider, the role's trust, public discovery and
 * JWKS as AWS fetches them, the cluster's own issuer and keys against the public ones, the
 * bridge's settings and log events — and, from all of it, the answer STS would give.
 */
import { checkBridgeConfig } from '../checks/bridge/config.js';
import { checkClusterIssuer } from '../checks/bridge/cluster.js';
import { checkBridgeLogs } from '../checks/bridge/log-findings.js';
import { skip, type Finding } from '../checks/finding.js';
import { compareKeySets } from '../checks/jwks/compare.js';
import { CONSUMER_ALGS } from '../checks/token/header.js';
import type { TokenFacts } from '../checks/token/inspect.js';
import { outcomeFinding, predictStsOutcome, type StsWorld } from '../checks/web-identity/outcome.js';
import { verifyWithJwks } from '../checks/web-identity/keys.js';
import { STS_AUDIENCE } from '../checks/web-identity/token.js';
import { checkTailnet } from '../checks/reachability.js';
import { gatherEksCredentials } from '../gather/eks-credentials.js';
import { gatherBridgeDeployment, gatherBridgeLogs, gatherClusterOidc, settingsOf } from '../gather/cluster.js';
import { once, type GatherContext } from '../gather/context.js';
import { gatherIssuerKeys } from '../gather/keys.js';
import { gatherProvider, gatherTrust, providerFindingsFor } from '../gather/web-identity.js';
import { UsageError } from '../sources/errors.js';
import { githubFindings } from '../checks/github-actions/index.js';
import { providerUrlOf } from '../checks/trust/context.js';
import { stsAudienceFor } from '../presets/github-actions.js';
import type { SectionTask } from './run-sections.js';
import { keySection } from './token.js';
import type { DiagnoseInput, Expectations, Section } from './types.js';

/** `NS:NAME` → `system:serviceaccount:NS:NAME`. */
export function subjectOfServiceAccount(sa: string): string {
  const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?):([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(sa);
  if (!m) throw new UsageError(`service_account "${sa}" is not NAMESPACE:NAME.`, 'Pass the namespace and service account name joined by a colon, e.g. payments:uploader.');
  return `system:serviceaccount:${m[1]}:${m[3]}`;
}

export function webIdentityExpectations(input: DiagnoseInput, env: NodeJS.ProcessEnv): Expectations {
  if (input.preset === 'github-actions') {
    // configure-aws-credentials asks for sts.amazonaws.com (sts.amazonaws.com.cn in the China regions).
    const aud = input.expected.aud ?? stsAudienceFor(input.region ?? env.AWS_REGION);
    return { iss: input.expected.iss, aud, sub: input.expected.sub, kind: input.expected.kind ?? 'github', from: `GitHub Actions → STS (aud ${aud})` };
  }
  const sa = input.webIdentity?.serviceAccount;
  return {
    iss: input.expected.iss,
    aud: input.expected.aud ?? STS_AUDIENCE,
    sub: input.expected.sub ?? (sa ? subjectOfServiceAccount(sa) : undefined),
    kind: input.expected.kind ?? 'service_account',
    from: sa ? `STS web identity (aud ${STS_AUDIENCE}, service account ${sa})` : `STS web identity (aud ${STS_AUDIENCE})`,
  };
}

const kidOf = (t: TokenFacts) => (typeof t.header.kid === 'string' ? t.header.kid : undefined);

const notRun = (title: string): Omit<Section, 'label'> => ({ findings: [skip('CHECK_NOT_RUN', { title })] });

/** The GitHub Actions section: the job's sub and aud in GitHub's terms, against the role's trust policy. */
function githubTask(ctx: GatherContext, input: DiagnoseInput, t: TokenFacts, expected: Expectations): SectionTask {
  return {
    label: 'GitHub Actions',
    run: async () => {
      const iss = typeof t.claims.iss === 'string' ? t.claims.iss : '';
      const roleArn = input.webIdentity?.roleArn;
      const trust = !input.offline && roleArn && iss ? await gatherTrust(ctx, { role_arn: roleArn, region: input.region, profile: input.profile }, iss, t.claims, false) : undefined;
      const findings = githubFindings(t.claims, { ev: trust?.ev, providerUrl: providerUrlOf(iss), region: input.region ?? ctx.env.AWS_REGION, audience: expected.aud });
      return { line: typeof t.claims.sub === 'string' ? `sub ${t.claims.sub}` : undefined, findings };
    },
  };
}

export function webIdentityTasks(ctx: GatherContext, input: DiagnoseInput, raw: string, t: TokenFacts, expected: Expectations): SectionTask[] {
  if (input.preset === 'github-actions') return [...coreTasks(ctx, input, raw, t, expected).filter((x) => x.label !== 'Cluster JWKS' && x.label !== 'Bridge' && x.label !== 'EKS pod'), githubTask(ctx, input, t, expected)];
  return coreTasks(ctx, input, raw, t, expected);
}

function coreTasks(ctx: GatherContext, input: DiagnoseInput, raw: string, t: TokenFacts, expected: Expectations): SectionTask[] {
  const w = input.webIdentity ?? {};
  const aws = { region: input.region, profile: input.profile };
  const iss = typeof t.claims.iss === 'string' ? t.claims.iss : undefined;
  const kube = { context: w.kubeContext, kubeconfig: w.kubeconfig };
  const useCluster = Boolean(w.kubeContext || w.kubeconfig || w.bridgeNamespace);
  const offline = Boolean(input.offline);
  return [
    {
      label: 'Public discovery',
      run: async () => {
        if (offline) return notRun('Public discovery and JWKS: not fetched (offline)');
        const s = await keySection(ctx, raw, t, expected, 'sts', { issuer: input.issuer ?? iss, jwksUrl: input.jwksUrl });
        const { discovery } = await gatherIssuerKeys(ctx, { issuer: input.issuer ?? iss, jwksUrl: input.jwksUrl, kid: kidOf(t) });
        const addresses = discovery?.doc?.http?.addresses ?? [];
        const host = discovery ? new URL(discovery.url).hostname : undefined;
        return { ...s, findings: [...s.findings, ...(host && addresses.length ? [checkTailnet(host, addresses)] : [])] };
      },
    },
    {
      label: 'Provider',
      run: async () => (offline ? notRun('IAM provider: not read (offline)') : { findings: await providerFindingsFor(ctx, t, aws) }),
    },
    {
      label: 'Trust policy',
      run: async () => {
        if (offline) return notRun('Trust policy: not read (offline)');
        if (!w.roleArn) return notRun('Trust policy: no role given (role_arn)');
        if (!iss) return notRun('Trust policy: the token has no iss');
        const trust = await gatherTrust(ctx, { role_arn: w.roleArn, ...aws }, iss, t.claims, false);
        return { line: trust?.roleArn, findings: trust?.findings ?? [] };
      },
    },
    {
      label: 'Cluster JWKS',
      run: async () => {
        if (offline) return notRun('Cluster: not read (offline)');
        if (!useCluster) return notRun('Cluster: not read (pass kube_context or bridge_namespace to compare it with the public keys)');
        const c = await gatherClusterOidc(ctx, kube);
        if (!c.jwks) return { findings: c.findings };
        const findings: Finding[] = [...c.findings];
        const bridgeIssuer = w.bridgeNamespace ? await bridgeIssuerUrl(ctx, w.bridgeNamespace, kube) : undefined;
        const publicIssuer = bridgeIssuer ?? expected.iss;
        if (publicIssuer) findings.push(checkClusterIssuer(c.issuer, { issuer: publicIssuer, from: bridgeIssuer ? 'bridge ISSUER_URL' : expected.from }));
        const { jwks } = await gatherIssuerKeys(ctx, { issuer: input.issuer ?? iss, jwksUrl: input.jwksUrl, kid: kidOf(t) });
        if (jwks?.doc) {
          const cmp = compareKeySets({ label: 'cluster', cluster: true, keys: c.keys }, { label: `public: ${jwks.source}`, cluster: false, keys: jwks.keys });
          findings.push(...cmp.findings.filter((f) => f.code === 'JWKS_PUBLIC_CLUSTER_DRIFT'));
        } else {
          findings.push(skip('CHECK_NOT_RUN', { title: 'Cluster vs public keys: the public JWKS could not be fetched' }));
        }
        return { line: `issuer ${c.issuer ?? '?'}; ${c.keys.length} key(s)`, findings };
      },
    },
    {
      label: 'EKS pod',
      run: async () => {
        if (offline) return notRun('EKS pod: not read (offline)');
        if (!w.eksCluster) return notRun('EKS pod: not read (pass eks_cluster with service_account for IRSA / Pod Identity)');
        const sa = w.serviceAccount?.split(':');
        if (!sa || sa.length !== 2) return notRun('EKS pod: pass service_account NAMESPACE:NAME to find the pod');
        const r = await once(ctx, `eks:${w.eksCluster}:${w.serviceAccount}:${w.kubeContext ?? ''}`, () => gatherEksCredentials({ namespace: sa[0]!, service_account: sa[1]!, cluster: w.eksCluster, context: w.kubeContext, kubeconfig: w.kubeconfig, region: input.region, profile: input.profile, tokenClaims: t.claims, now: ctx.now, signal: ctx.signal }));
        return { line: `${r.mechanism}${r.role_arn ? ` → ${r.role_arn}` : ''}${r.pod ? ` (pod ${r.pod})` : ''}`, findings: r.findings };
      },
    },
    {
      label: 'Bridge',
      run: async () => {
        if (offline) return notRun('Bridge: not read (offline)');
        if (!w.bridgeNamespace) return notRun('Bridge: not read (pass bridge_namespace)');
        const q = { ...kube, namespace: w.bridgeNamespace };
        const [d, logs] = await Promise.all([gatherBridgeDeployment(ctx, q).catch(asNotFound), gatherBridgeLogs(ctx, { ...q, tail: 5000 }).catch(asNotFound)]);
        const findings: Finding[] = [];
        if ('notFound' in d) findings.push(d.notFound);
        else if (d.findings.length) findings.push(...d.findings);
        else findings.push(...checkBridgeConfig({ settings: settingsOf(d.env, ctx), envFrom: d.envFrom }));
        if ('notFound' in logs) findings.push(logs.notFound);
        else if (logs.findings.length) findings.push(...logs.findings);
        else findings.push(...checkBridgeLogs(logs.events, { lines: logs.lines, unparsed: logs.unparsed }));
        const line = 'notFound' in d ? undefined : `${d.deployment ?? '?'}${'notFound' in logs ? '' : `; ${logs.lines} log line(s)`}`;
        return { line, findings };
      },
    },
  ];
}

/** A missing bridge (no Deployment/pod matches) is a finding here, not a usage error. */
function asNotFound(e: unknown): { notFound: Finding } {
  if (!(e instanceof UsageError)) throw e;
  return { notFound: skip('CHECK_NOT_RUN', { title: `Bridge: ${e.message}`, detail: e.fix ?? '' }) };
}

async function bridgeIssuerUrl(ctx: GatherContext, namespace: string, kube: { context?: string | undefined; kubeconfig?: string | undefined }): Promise<string | undefined> {
  const d = await gatherBridgeDeployment(ctx, { ...kube, namespace }).catch(() => undefined);
  return d?.env.find((e) => e.name === 'ISSUER_URL' && e.from === 'value')?.value;
}

/** STS's answer from what the sections gathered (the memo: nothing is fetched again). */
export async function stsAnswer(ctx: GatherContext, input: DiagnoseInput, raw: string, t: TokenFacts, now: Date): Promise<Omit<Section, 'label'>> {
  const iss = typeof t.claims.iss === 'string' ? t.claims.iss : '';
  const aws = { region: input.region, profile: input.profile };
  const offline = Boolean(input.offline);
  const prov = offline ? undefined : await gatherProvider(ctx, iss, { offline: false, ...aws });
  let keys: StsWorld['keys'] = { reachability: 'unknown' };
  if (!offline && iss) {
    const { discovery, jwks } = await gatherIssuerKeys(ctx, { issuer: input.issuer ?? iss, jwksUrl: input.jwksUrl, kid: kidOf(t) });
    if (jwks?.doc) {
      const k = await once(ctx, `sts-verify:${jwks.source}`, () => verifyWithJwks(raw, kidOf(t), jwks.doc!.json, String(t.header.alg)));
      keys = { reachability: 'reachable', kidServed: k.kidServed, signature: k.signature };
    } else {
      keys = { reachability: 'unreachable', detail: (jwks?.findings[0] ?? discovery?.findings[0])?.detail ?? 'not fetched' };
    }
  }
  const roleArn = input.webIdentity?.roleArn;
  const trust = !offline && roleArn && iss ? await gatherTrust(ctx, { role_arn: roleArn, ...aws }, iss, t.claims, false).catch(() => undefined) : undefined;
  const o = predictStsOutcome({ token: t, now, provider: prov?.provider, keys, acceptedAlgs: CONSUMER_ALGS.sts, trust: trust?.ev && trust.decision ? { decision: trust.decision, role: trust.roleArn ?? roleArn ?? 'the role' } : undefined });
  return { line: o.message, findings: [outcomeFinding(o)] };
}
