/**
 * The opencode preset: what the OpenCode Stack's JWT ALB does with this request, and why.
 * Its expectations come from the ALB's LIVE jwt-validation config (rule 5), which decides what
 * passes, compared with SSM for staleness; then the rule chain, SSM completeness, which rule
 * answers this request, and the API key (prefix, shape, DynamoDB item, Bearer shadowing).
 */
import { skip, type Finding } from '../checks/finding.js';
import { audClaimOf, unmatchableClaims } from '../checks/opencode/alb-jwt.js';
import type { AudFormat } from '../checks/token/claims.js';
import { apiKeyHash, checkApiKeyShape, checkBearerShadow, lookupSkipped, publicPrefix } from '../checks/opencode/api-key.js';
import { rulesFromSpec } from '../checks/opencode/facts.js';
import { checkRuleChain } from '../checks/opencode/rules.js';
import { simulateRequest, type SimRequest, type TokenJudgement } from '../checks/opencode/simulate.js';
import { once, type GatherContext } from '../gather/context.js';
import { gatherAlbJwt, gatherApiKey, gatherListener, gatherSsmTree, stackOf, type AlbJwtGathered, type Stack } from '../gather/opencode.js';
import { EXPECTED_RULES } from '../presets/opencode.js';
import { gatherAccessLogs, gatherRouterLogs, windowOf } from '../gather/logs.js';
import type { SectionTask } from './run-sections.js';
import type { DiagnoseInput, Expectations, Section } from './types.js';

export interface OpencodePrelude {
  stack: Stack;
  alb?: AlbJwtGathered | undefined;
  expected: Expectations;
  jwksUrl?: string | undefined;
}

/** The expectations: the live rule-5 config, else SSM, else the inputs (each named in `from`). */
export async function opencodePrelude(ctx: GatherContext, input: DiagnoseInput): Promise<OpencodePrelude> {
  const stack = stackOf(ctx, { env: input.opencode?.env, region: input.region, profile: input.profile });
  const e = stack.env.name;
  const given = (from: string): Expectations => ({ ...input.expected, kind: input.expected.kind ?? 'id', from });
  if (input.offline) return { stack, expected: given('the inputs (offline)') };
  // Reads that need nothing from the prelude start now, so their waits and SDK loads overlap the
  // prelude's (memoized: the sections get these same promises; their failures are the sections').
  const logs = logReads(ctx, input, stack);
  for (const read of [() => gatherSsmTree(ctx, stack), logs.router, logs.access]) read?.().catch(() => undefined);
  const alb = await gatherAlbJwt(ctx, stack, input.opencode?.listenerArn);
  const rule5 = alb.configs.find((c) => c.priority === 5)?.config;
  const audClaim = rule5 ? audClaimOf(rule5) : undefined;
  const live = rule5 ? { iss: rule5.issuer, aud: audClaim?.values[0], jwks: rule5.jwksEndpoint } : undefined;
  const from = live ? `the live ALB rule 5 (env ${e} from ${stack.env.source})` : alb.ssm.issuer ? `SSM /opencode/${e}/oidc/* (env ${e} from ${stack.env.source})` : 'the inputs (AWS not readable)';
  const expected: Expectations = {
    iss: input.expected.iss ?? live?.iss ?? alb.ssm.issuer,
    aud: input.expected.aud ?? live?.aud ?? alb.ssm.cliClientId,
    // Every value rule 5's aud claim lists, read with its Format (not only the first, as a string).
    ...(input.expected.aud === undefined && audClaim ? { audAlso: audClaim.values.slice(1), audFormat: audClaim.format as AudFormat } : {}),
    sub: input.expected.sub,
    kind: input.expected.kind ?? 'id',
    from,
  };
  return { stack, alb, expected, jwksUrl: input.jwksUrl ?? live?.jwks ?? alb.ssm.jwksUrl };
}

/** The AWS-side sections of the preset (each gathers once; the memo shares reads between them). */
export function opencodeTasks(ctx: GatherContext, input: DiagnoseInput, pre: OpencodePrelude, tokenVerdict: () => Promise<TokenJudgement>): SectionTask[] {
  const s = pre.stack;
  const offline = (label: string): SectionTask => ({ label, run: async () => ({ findings: [skip('CHECK_NOT_RUN', { title: `${label}: not checked (offline)` })] }) });
  if (input.offline) return [offline('ALB rules'), offline('SSM parameters'), requestTask(ctx, input, pre, tokenVerdict), apiKeyTask(ctx, input, s, true)];
  return [
    {
      label: 'ALB config',
      run: async () => {
        const alb = pre.alb!;
        const each = alb.configs.map((c) => ({ p: c.priority, what: c.config ? `iss ${c.config.issuer}` : c.ruleFound ? 'no jwt-validation' : 'missing' }));
        // One issuer for every rule reads once; the same as SSM's reads as that (the Issuer row shows it).
        const same = each.length > 0 && each.every((x) => x.what === each[0]!.what);
        const rules = same && alb.ssm.issuer && each[0]!.what === `iss ${alb.ssm.issuer}`
          ? `rule${each.length > 1 ? 's' : ''} ${each.map((x) => x.p).join(', ')}: iss as in SSM`
          : same && each.length > 1 ? `rules ${each.map((x) => x.p).join(', ')}: ${each[0]!.what}` : each.map((x) => `rule ${x.p}: ${x.what}`).join('; ');
        return { line: rules, findings: alb.findings.length ? alb.findings : [skip('CHECK_NOT_RUN', { title: 'No listener to read (SSM names none)' })] };
      },
    },
    {
      label: 'ALB rules',
      run: async () => {
        const l = await gatherListener(ctx, s, input.opencode?.listenerArn, pre.alb?.listener.listenerArn);
        if (!l.rules) return { findings: l.findings.length ? l.findings : [skip('CHECK_NOT_RUN', { title: 'The listener ARN is unknown (SSM names none): rules not read' })] };
        return { line: `${l.rules.length} rules on listener ${l.listenerArn?.split(':listener/')[1] ?? l.listenerArn}`, findings: [...l.findings, ...checkRuleChain(l.rules, rulesFromSpec(EXPECTED_RULES))] };
      },
    },
    {
      label: 'SSM parameters',
      run: async () => {
        const t = await gatherSsmTree(ctx, s);
        return { line: t.read ? `${t.parameters.length} under ${s.prefix}` : undefined, findings: t.findings };
      },
    },
    requestTask(ctx, input, pre, tokenVerdict),
    apiKeyTask(ctx, input, s, false),
    ...logTasks(ctx, input, s),
  ];
}

/**
 * Router logs and ALB access-log rejections of the last minutes: evidence for the summary, never a
 * gate — a failure there is a warning, a log that cannot be read is "not checked" (the verdict stands
 * on the config, the token and the key).
 */
const NO_EVIDENCE: ReadonlySet<string> = new Set(['ALB_ACCESS_LOGS_DISABLED', 'LOGS_GROUP_NOT_FOUND']);

function logReads(ctx: GatherContext, input: DiagnoseInput, s: Stack) {
  const minutes = input.opencode?.logWindowMinutes ?? 15;
  if (minutes <= 0) return {};
  const window = windowOf({ since: `${minutes}m` }, ctx.now);
  return { minutes, router: () => gatherRouterLogs(ctx, s, { window, limit: 5 }), access: () => gatherAccessLogs(ctx, s, { window, region: input.region, limit: 5 }) };
}

function logTasks(ctx: GatherContext, input: DiagnoseInput, s: Stack): SectionTask[] {
  const { minutes, router, access } = logReads(ctx, input, s);
  if (!router || !access) return [];
  // No log to read (no group, no bucket) is evidence missing, not a warning about this request.
  const asEvidence = (f: Finding): Finding => (f.status === 'error' || NO_EVIDENCE.has(f.code) ? { ...f, status: 'skip' } : f.status === 'fail' ? { ...f, status: 'warn' } : f);
  return [
    {
      label: 'Router logs',
      run: async () => {
        const g = await router();
        const line = g.counts ? `${g.counts.events} event(s) in the last ${minutes} min (${g.group?.name})` : undefined;
        return { line, findings: g.findings.map(asEvidence) };
      },
    },
    {
      label: 'Access logs',
      run: async () => {
        const g = await access();
        const c = g.read?.counts;
        const line = c ? `${c.rejections} of ${c.requests} request(s) rejected in the last ${minutes} min` : undefined;
        return { line, findings: g.findings.map(asEvidence) };
      },
    },
  ];
}

/** Which rule answers this request, with the token as judged by the other sections. */
function requestTask(ctx: GatherContext, input: DiagnoseInput, pre: OpencodePrelude, tokenVerdict: () => Promise<TokenJudgement>): SectionTask {
  return {
    label: 'Request',
    run: async () => {
      const method = (input.opencode?.method ?? 'POST').toUpperCase();
      const path = input.opencode?.path ?? '/v1/chat/completions';
      const headers: Record<string, string> = {};
      if (input.token) headers.Authorization = 'Bearer <token>';
      // Only the public prefix takes part in matching (rule 10 is X-API-Key = oc_*).
      if (input.apiKey) headers['X-API-Key'] = (await apiKeyFacts(ctx, input)).shown;
      const req: SimRequest = { method, path, headers };
      const live = input.offline ? undefined : (await gatherListener(ctx, pre.stack, input.opencode?.listenerArn, pre.alb?.listener.listenerArn)).rules;
      const rules = live ?? rulesFromSpec(EXPECTED_RULES);
      // A rule 5 claim no token can satisfy makes the token invalid there, whatever it carries.
      const never = pre.alb?.config ? unmatchableClaims(pre.alb.config) : [];
      const judged: TokenJudgement = input.token ? await tokenVerdict() : { state: 'unknown' };
      const verdict: TokenJudgement = input.token && never.length ? { state: 'invalid', reasons: [...(judged.state === 'invalid' ? judged.reasons : []), ...never] } : judged;
      const sim = simulateRequest(rules, req, verdict);
      const o = sim.outcome;
      const line = `${method} ${path}${input.token ? ' + Bearer' : ''}${input.apiKey ? ' + X-API-Key' : ''} → ${o.status ?? o.action} (${live ? 'live rules' : "the stack's chain"})`;
      return { line, findings: sim.findings };
    },
  };
}

function apiKeyTask(ctx: GatherContext, input: DiagnoseInput, s: Stack, offline: boolean): SectionTask {
  return {
    label: 'API key',
    run: async (): Promise<Omit<Section, 'label'>> => {
      if (!input.apiKey) return { findings: [skip('CHECK_NOT_RUN', { title: 'No API key given (api_key_file or api_key_env)' })] };
      const key = await apiKeyFacts(ctx, input);
      const findings: Finding[] = [...key.shape, ...checkBearerShadow(input.token ? true : undefined)];
      const line = `${key.prefix ?? '(no oc_ prefix)'} from ${input.apiKey.source}`;
      if (!key.oc) return { line, findings: [...findings, lookupSkipped('A key without oc_ never reaches the router, so its DynamoDB item does not matter.')] };
      if (offline) return { line, findings: [...findings, skip('CHECK_NOT_RUN', { title: 'DynamoDB lookup not run (offline)' })] };
      const g = await gatherApiKey(ctx, s, key.hash);
      return { line: `${line}; table ${g.table.name}`, findings: [...findings, ...g.findings] };
    },
  };
}

/**
 * What the diagnosis needs of the API key, recorded as a fact (a replay has no key): its public
 * prefix, SHA-256 (the DynamoDB key_hash), shape findings, and the value rule 10 matches on.
 */
function apiKeyFacts(ctx: GatherContext, input: DiagnoseInput): Promise<{ prefix?: string | undefined; hash: string; oc: boolean; shape: Finding[]; shown: string }> {
  return once(ctx, 'api-key-facts', async () => {
    const v = input.apiKey?.value ?? '';
    // Only the public prefix takes part in matching (rule 10 is X-API-Key = oc_*).
    return { prefix: publicPrefix(v), hash: apiKeyHash(v), oc: v.startsWith('oc_'), shape: checkApiKeyShape(v), shown: publicPrefix(v) ?? v.slice(0, 3) };
  });
}

/** The ALB's verdict on the token from the token's sections: any failure → 401 with its reasons. */
export function judgementOf(sections: Section[], keysChecked: boolean): TokenJudgement {
  const bad = sections.flatMap((s) => s.findings).filter((f) => f.status === 'fail');
  if (bad.length) return { state: 'invalid', reasons: bad.map((f) => f.title) };
  return keysChecked ? { state: 'valid' } : { state: 'unknown' };
}

