import { z } from 'zod';
import { findingSchema, type Finding } from '../checks/finding.js';
import { diagnose } from '../diagnose/playbook.js';
import { explainedBy, OUTCOMES, rank } from '../diagnose/rank.js';
import { compactRows, renderDiagnosis, sectionRows, summarize } from '../diagnose/render.js';
import { PRESETS, type DiagnoseInput, type DiagnosisResult } from '../diagnose/types.js';
import { recordedFacts, type GatherContext } from '../gather/context.js';
import { readBoundedFile } from '../sources/file.js';
import { VERSION } from '../version.js';
import { readSecret, tokenInputShape } from '../sources/secret-ref.js';
import { hasToken, loadToken } from './token-input.js';
import { UsageError } from '../sources/errors.js';
import { STS_SKEW_SECONDS } from '../checks/web-identity/token.js';
import { defineTool, nowInput, parseNow, regionInputShape, resultSchema } from './define.js';
import { inputError } from '../gather/failure.js';

const k8sName = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

const diagnoseTool = defineTool({
  name: 'diagnose_rejection',
  toolsets: ['default'],
  title: 'Diagnose a rejected request',
  description:
    'Use first for "why is my request rejected?": a 401/403 at an AWS ALB that validates JWTs (preset opencode), or an AssumeRoleWithWebIdentity failure (preset web-identity: Kubernetes, EKS; github-actions). Runs every relevant check in parallel under a deadline (token, claims, discovery, JWKS, signature; opencode: ALB config vs SSM, rules, which rule answers, the API key; web-identity: IAM provider, role trust, reachability as AWS sees it, cluster vs public keys, the bridge, STS\'s answer) and ranks the findings into ONE root cause with its fix. Pass the token and API key by reference.',
  input: z.object({
    ...tokenInputShape,
    api_key_file: z.string().optional().describe('Path to a file holding the OpenCode API key (oc_…).'),
    api_key_env: z.string().optional().describe('Environment variable (of the server process) holding the API key.'),
    preset: z.enum(PRESETS).default('generic').describe('opencode: the OpenCode Stack JWT ALB; web-identity (alias sts): STS AssumeRoleWithWebIdentity; github-actions: a GitHub Actions OIDC token → STS; generic: the inputs only.'),
    expected_issuer: z.string().optional().describe('Issuer the verifier expects (default: the preset\'s, else the token\'s iss).'),
    expected_audience: z.string().optional().describe('Audience the verifier requires (opencode: from the ALB; web-identity: sts.amazonaws.com).'),
    expected_subject: z.string().optional().describe('Subject the verifier requires (web-identity: from service_account).'),
    expected_kind: z.enum(['id', 'access', 'service_account', 'github']).optional().describe('Kind of token the verifier needs.'),
    consumer: z.enum(['alb', 'sts', 'bridge', 'generic']).optional().describe('Whose limits apply (default by preset).'),
    issuer: z.string().optional().describe('Issuer whose discovery document to fetch (default: expected issuer, else the token\'s iss).'),
    jwks_url: z.string().optional().describe('A JWKS URL to use instead of discovery\'s jwks_uri.'),
    env: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional().describe('opencode: environment name (default: $ENVIRONMENT, cdk.context.json, dev).'),
    method: z.string().regex(/^[A-Za-z]{1,16}$/).optional().describe('opencode: method of the failing request (default POST).'),
    path: z.string().optional().describe('opencode: path of the failing request (default /v1/chat/completions).'),
    listener_arn: z.string().optional().describe('opencode: the JWT ALB listener (default: from SSM).'),
    log_minutes: z.number().int().min(0).max(1440).optional().describe('opencode: minutes of router/ALB logs read as evidence (default 15; 0: none).'),
    role_arn: z.string().optional().describe('web-identity: the role being assumed (its trust policy is evaluated).'),
    service_account: z.string().optional().describe('web-identity: NAMESPACE:NAME of the workload\'s service account (gives the expected sub).'),
    kube_context: z.string().optional().describe('web-identity: kubeconfig context of the cluster (compares its issuer and keys).'),
    kubeconfig: z.string().optional().describe('web-identity: kubeconfig file (default KUBECONFIG).'),
    bridge_namespace: z.string().regex(k8sName).optional().describe('web-identity: namespace of the OIDC bridge (its Deployment and logs are read).'),
    eks_cluster: z.string().regex(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/).optional().describe('web-identity on EKS: the cluster name; with service_account, checks the pod\'s IRSA or Pod Identity set-up.'),
    ...regionInputShape,
    skew_seconds: z.number().int().min(0).max(3600).optional().describe('Clock-skew allowance for exp/nbf/iat (default 60; web-identity and github-actions 300, the window AWS documents for STS).'),
    now: nowInput,
    offline: z.boolean().optional().describe('Judge the token only: no discovery, JWKS, AWS or cluster.'),
    snapshot: z.boolean().optional().describe('Also return every fact gathered (redacted), to replay with from.'),
    from: z.string().optional().describe('Replay a snapshot file offline instead of diagnosing live.'),
    deadline_seconds: z.number().min(1).max(300).default(20).describe('Deadline for the whole diagnosis; what has not answered by then is reported as not finished.'),
  }),
  output: resultSchema({
    findings: z.array(findingSchema.extend({ evidence: findingSchema.shape.evidence.optional() })).describe('Every other failing, warning or could-not-check finding, once (evidence: root_cause only).'),
    preset: z.string(),
    root_cause: findingSchema.nullable().describe('The one cause that explains the rejection; null when nothing is wrong. findings holds the rest.'),
    likely: z.boolean().optional().describe('The root cause is a could-not-check error that likely explains the rejection.'),
    sections: z.array(z.object({ label: z.string(), status: z.enum(['pass', 'fail', 'warn', 'skip', 'error']), line: z.string().optional(), code: z.string().optional() })).describe('The summary box: what holds, or the code of the section\'s worst finding.'),
    token_summary: z.object({ fingerprint: z.string(), form: z.string(), alg: z.string().optional(), kid: z.string().optional(), kind: z.string() }).optional(),
    expectations: z.object({ iss: z.string().optional(), aud: z.string().optional(), sub: z.string().optional(), kind: z.string().optional(), from: z.string() }),
    timed_out: z.array(z.string()).optional().describe('Sections not finished by the deadline.'),
    read_from: z.object({ token_from: z.string().optional(), api_key_from: z.string().optional() }).describe('Where the token and API key were read from (never their values).'),
    replayed_from: z.string().optional(),
    snapshot: z.record(z.string(), z.unknown()).optional().describe('With snapshot: true: the facts, for from.'),
  }),
  type: 'readOnly',
  network: true,
  cli: {
    command: 'diagnose',
    summary: 'One root cause for a rejected request: token, keys, and the ALB or STS side per preset',
    examples: [
      'jwt-triage diagnose --token-file ~/.opencode/id_token --preset opencode --env dev',
      'jwt-triage diagnose --api-key-env OPENCODE_API_KEY --preset opencode --path /v1/models --method GET',
      'jwt-triage diagnose --token-file ./gha.jwt --preset github-actions --role-arn arn:aws:iam::123456789012:role/deploy --json',
      'jwt-triage diagnose --token-file /var/run/secrets/tokens/sts --preset web-identity --role-arn arn:aws:iam::123456789012:role/app --service-account payments:uploader --kube-context prod --bridge-namespace oidc',
    ],
  },
  async handle(input, ctx) {
    if (input.from !== undefined) return replayed(input.from, input, ctx);
    const tok = hasToken(input) ? await loadToken(input, ctx) : undefined;
    const key = input.api_key_file !== undefined || input.api_key_env !== undefined
      ? await readSecret({ file: input.api_key_file, env: input.api_key_env }, 'API key', { file: 'api_key_file', env: 'api_key_env' }, ctx.env)
      : undefined;
    if (key) ctx.secret(key.value, 'api-key');
    const preset = input.preset === 'sts' ? 'web-identity' : input.preset;
    if (!tok && preset !== 'opencode') {
      throw new UsageError('No token given.', preset !== 'generic' ? 'Pass token_file (e.g. the projected service-account token) or token_env.' : 'Pass token_file or token_env (and, for the OpenCode ALB, api_key_file or api_key_env).');
    }
    const now = parseNow(input.now, ctx.now);
    const di: DiagnoseInput = {
      token: tok ? { raw: tok.raw, source: tok.source } : undefined,
      apiKey: key ? { value: key.value, source: key.source } : undefined,
      preset: input.preset,
      expected: { iss: input.expected_issuer, aud: input.expected_audience, sub: input.expected_subject, kind: input.expected_kind },
      consumer: input.consumer,
      issuer: input.issuer,
      jwksUrl: input.jwks_url,
      opencode: { env: input.env, method: input.method, path: input.path, listenerArn: input.listener_arn, logWindowMinutes: input.log_minutes },
      webIdentity: { roleArn: input.role_arn, serviceAccount: input.service_account, kubeContext: input.kube_context, kubeconfig: input.kubeconfig, bridgeNamespace: input.bridge_namespace, eksCluster: input.eks_cluster },
      region: input.region,
      profile: input.profile,
      skewSeconds: input.skew_seconds ?? (preset === 'web-identity' || preset === 'github-actions' ? STS_SKEW_SECONDS : 60),
      offline: input.offline,
      deadlineMs: input.deadline_seconds * 1000,
    };
    const gctx = { ...ctx, now };
    const result = await diagnose(di, gctx);
    const snapshot = input.snapshot ? await takeSnapshot(di, gctx) : undefined;
    return { ...outputOf(result), ...(snapshot ? { snapshot } : {}) };
  },
  // The report is rendered from the (redacted) output: the same rows, root cause and findings.
  text: (out) => {
    const ranked = rank([...(out.root_cause ? [out.root_cause as Finding] : []), ...(out.findings as Finding[])]);
    const from = [out.read_from.token_from ? `token from ${out.read_from.token_from}` : '', out.read_from.api_key_from ? `API key from ${out.read_from.api_key_from}` : ''].filter(Boolean).join(', ');
    // Root cause + findings hold every failure, warning and error, so ranking them again gives the same root cause.
    const heading = `jwt-triage diagnosis (${out.preset}${from ? `, ${from}` : ''}${out.replayed_from ? `, replayed from ${out.replayed_from}` : ''})`;
    return [renderDiagnosis(out.sections, ranked, `${heading}\nExpected values from ${out.expectations.from}`)];
  },
  textReplacesFindings: true,
});

/** The output of one diagnosis (live or replayed). */
function outputOf(result: DiagnosisResult, replayedFrom?: string) {
  const { root, likely } = result.ranked;
  const rows = sectionRows(result.sections);
  // Passing checks are in `sections`; the findings list what else is wrong, could not be checked,
  // or warns. Nothing is said twice: the root cause is not repeated in findings, a listed
  // finding's title not in its section's row, a finding seen by two sections not twice.
  const seen = new Set<string>(root ? [`${root.code}\u0000${root.title}`] : []);
  const findings = result.findings.filter((f) => {
    if (f.status !== 'fail' && f.status !== 'warn' && f.status !== 'error') return false;
    const key = `${f.code}\u0000${f.title}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
  // The root cause carries its evidence (the single-purpose tools give every other finding's). A
  // failure another failure explains, or the rejection itself, has the cause's fix, not its own.
  const explained = explainedBy(result.findings.filter((f) => f.status === 'fail'));
  const listedFindings = findings.map(({ evidence: _evidence, fix, ...f }) =>
    fix === undefined || (f.status === 'fail' && root && (explained.has(f.code) || OUTCOMES.includes(f.code))) ? f : { ...f, fix });
  const listed = new Set([...(root ? [root.code] : []), ...findings.map((f) => f.code)]);
  const token = result.token ? { fingerprint: result.token.fingerprint, form: result.token.form, alg: result.token.alg, kid: result.token.kid, kind: result.token.kind } : undefined;
  return {
    summary: summarize(result.ranked, rows),
    findings: listedFindings,
    preset: result.preset,
    root_cause: root ?? null,
    ...(likely ? { likely: true } : {}),
    sections: compactRows(rows, listed),
    ...(token ? { token_summary: token } : {}),
    expectations: result.expected,
    ...(result.timedOut.length ? { timed_out: result.timedOut } : {}),
    read_from: { token_from: result.input.token?.source, api_key_from: result.input.apiKey?.source },
    ...(replayedFrom ? { replayed_from: replayedFrom } : {}),
  };
}

const SNAPSHOT_FORMAT = 'jwt-triage-snapshot/1';
const MAX_SNAPSHOT_BYTES = 8 * 1024 * 1024;

/**
 * Every fact the diagnosis gathered (SSM values, rules, discovery, JWKS, IAM, cluster facts, the
 * token's decoded header and claims with its fingerprint, an API key's public prefix and hash) and
 * the inputs that decide how they are judged — never a token, key, secret or credential: the raw
 * token and key are not facts, and the whole result passes the redactor like any output.
 */
async function takeSnapshot(di: DiagnoseInput, ctx: GatherContext) {
  const { token, apiKey, ...rest } = di;
  return {
    format: SNAPSHOT_FORMAT,
    jwt_triage: VERSION,
    now: ctx.now.toISOString(),
    // Where the token and key came from, never what they are (their decoded facts are in `facts`).
    input: { ...rest, ...(token ? { token_from: token.source } : {}), ...(apiKey ? { api_key_from: apiKey.source } : {}) },
    facts: await recordedFacts(ctx),
  };
}

/** The same diagnosis, offline, from a snapshot: no network, no AWS, no cluster, no token. */
async function replayed(path: string, input: { token?: string | undefined; token_file?: string | undefined; token_env?: string | undefined; api_key_file?: string | undefined; api_key_env?: string | undefined }, ctx: GatherContext) {
  if (hasToken(input) || input.api_key_file !== undefined || input.api_key_env !== undefined) {
    throw new UsageError('from replays a snapshot: it takes no token or API key.', 'Pass from alone (the snapshot holds the inputs and facts), or drop from to diagnose live.');
  }
  let snap: { format?: unknown; now?: unknown; input?: Omit<DiagnoseInput, 'token' | 'apiKey'> & { token_from?: string; api_key_from?: string }; facts?: Record<string, unknown> };
  try {
    snap = JSON.parse(await readBoundedFile(path, MAX_SNAPSHOT_BYTES)) as typeof snap;
  } catch (e) {
    if (e instanceof SyntaxError) throw new UsageError(`${path} is not JSON.`, 'Pass a file written by `jwt-triage snapshot` (or diagnose_rejection with snapshot: true).');
    throw inputError(e, 'Check the path of the snapshot file.');
  }
  if (snap?.format !== SNAPSHOT_FORMAT || !snap.input || !snap.facts || typeof snap.now !== 'string') {
    throw new UsageError(`${path} is not a jwt-triage snapshot (format ${SNAPSHOT_FORMAT}).`, 'Take one with `jwt-triage snapshot <the diagnose flags>`.');
  }
  const { token_from, api_key_from, ...recorded } = snap.input;
  const di: DiagnoseInput = {
    ...recorded,
    // The snapshot holds the token's and key's facts, not the values: nothing needs them on replay.
    token: token_from !== undefined ? { raw: '', source: token_from } : undefined,
    apiKey: api_key_from !== undefined ? { value: '', source: api_key_from } : undefined,
  };
  const result = await diagnose(di, { ...ctx, now: new Date(snap.now), replay: new Map(Object.entries(snap.facts)) });
  return outputOf(result, path);
}


export default [diagnoseTool];
