/**
 * The OpenCode Stack on AWS: SSM parameters, the JWT ALB's listener rules, its
 * jwt-validation config, and request simulation. Read-only AWS calls through awsCall;
 * a failing call becomes a finding and the other checks go on.
 */
import { z } from 'zod';
import { type Finding } from '../checks/finding.js';
import type { KeyFacts } from '../checks/jwks/keys.js';
import { checkConsumerLimits } from '../checks/jwks/consumer.js';
import { judgeTokenForAlb, rejections } from '../checks/opencode/alb-token.js';
import { rulesFromSpec, type ActionFact, type RuleFact, type SsmParameterFact } from '../checks/opencode/facts.js';
import { checkRuleChain, describeRule } from '../checks/opencode/rules.js';
import { simulateRequest, shownValue, type SimRequest, type TokenJudgement } from '../checks/opencode/simulate.js';
import { checkSsmParameters } from '../checks/opencode/ssm.js';
import { attempt } from '../gather/failure.js';
import { gatherJwks } from '../gather/keys.js';
import { gatherAlbJwt, gatherListener, gatherSsmTree, stackOf } from '../gather/opencode.js';
import { EXPECTED_PARAMETERS, EXPECTED_RULES, REDEPLOY, stackOfParameter } from '../presets/opencode.js';
import { UsageError } from '../sources/errors.js';
import { ssmByNames } from '../sources/aws/ssm.js';
import { tokenInputShape } from '../sources/secret-ref.js';
import { loadOptionalToken, tokenIdent } from './token-input.js';
import { defineTool, resultOf, regionInputShape, resultSchema, type ToolContext } from './define.js';

// ── shared shapes and helpers ─────────────────────────────────────────────────
const envInput = { env: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional().describe('Environment name (default: $ENVIRONMENT, then "environment" in ./cdk.context.json, then "dev").') };
const listenerInput = { listener_arn: z.string().optional().describe('The JWT ALB\'s HTTPS listener ARN (default: SSM /opencode/<env>/alb/jwt/listener-arn).') };
const environmentOut = z.object({ name: z.string(), source: z.enum(['input', 'ENVIRONMENT', 'cdk.context.json', 'default']).describe('Which source the name came from.') });
const tokenOut = {
  token_fingerprint: z.string().optional().describe('sha256: + 12 hex of the token.'),
  token_source: z.string().optional().describe('file:<path>, env:<NAME> or inline.'),
};

const conditionOut = z.object({ field: z.string(), header_name: z.string().optional(), values: z.array(z.string()), regex_values: z.array(z.string()).optional() });
const actionOut = z.object({
  order: z.number().optional(),
  type: z.string(),
  target_group_arns: z.array(z.string()).optional(),
  fixed_response: z.object({ status_code: z.string(), content_type: z.string().optional(), message_body: z.string().optional() }).optional(),
  jwt_validation: z.object({ jwks_endpoint: z.string(), issuer: z.string(), additional_claims: z.array(z.object({ name: z.string(), format: z.string(), values: z.array(z.string()) })) }).optional(),
  redirect: z.object({ status_code: z.string(), protocol: z.string().optional(), host: z.string().optional(), port: z.string().optional(), path: z.string().optional() }).optional(),
  authenticate: z.object({ issuer: z.string().optional(), client_id: z.string().optional(), user_pool_client_id: z.string().optional(), on_unauthenticated_request: z.string().optional() }).optional().describe('authenticate-oidc/cognito settings; the client secret is never read.'),
});
const ruleOut = z.object({
  priority: z.string().describe('A number, or "default".'),
  rule_arn: z.string().optional(),
  summary: z.string().describe('Conditions → actions, in one line.'),
  conditions: z.array(conditionOut),
  actions: z.array(actionOut).describe('Sorted by Order.'),
});

const defined = <T extends Record<string, unknown>>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

function actionToOut(a: ActionFact): z.infer<typeof actionOut> {
  return defined({
    order: a.order,
    type: a.type,
    target_group_arns: a.targetGroupArns,
    fixed_response: a.fixedResponse && defined({ status_code: a.fixedResponse.statusCode, content_type: a.fixedResponse.contentType, message_body: a.fixedResponse.messageBody }),
    jwt_validation: a.jwtValidation && { jwks_endpoint: a.jwtValidation.jwksEndpoint, issuer: a.jwtValidation.issuer, additional_claims: a.jwtValidation.additionalClaims },
    redirect: a.redirect && defined({ ...a.redirect, status_code: a.redirect.statusCode, statusCode: undefined }),
    authenticate: a.authenticate && defined({ issuer: a.authenticate.issuer, client_id: a.authenticate.clientId, user_pool_client_id: a.authenticate.userPoolClientId, on_unauthenticated_request: a.authenticate.onUnauthenticatedRequest }),
  });
}

const ruleToOut = (r: RuleFact): z.infer<typeof ruleOut> =>
  defined({
    priority: String(r.priority),
    rule_arn: r.arn,
    summary: describeRule(r),
    conditions: r.conditions.map((c) => defined({ field: c.field, header_name: c.header, values: c.values, regex_values: c.regexValues })),
    actions: r.actions.map(actionToOut),
  });


/** Fetches and reads the JWKS the ALB uses, with the ALB's limits; failures become findings. */
async function albJwks(url: string, ctx: ToolContext, findings: Finding[]): Promise<{ keys: KeyFacts[]; bytes: number } | undefined> {
  const j = await gatherJwks(ctx, { url }, "The ALB's JWKS");
  findings.push(...j.findings);
  if (!j.doc) return undefined;
  findings.push(...checkConsumerLimits(j.keys, j.doc.bytes, 'alb'));
  return { keys: j.keys, bytes: j.doc.bytes };
}

// ── get_ssm_parameters ────────────────────────────────────────────────────────
const getSsmParameters = defineTool({
  name: 'get_ssm_parameters',
  toolsets: ['opencode'],
  title: 'Read the OpenCode SSM parameters',
  description:
    'Read the OpenCode Stack\'s SSM parameters under /opencode/<env>/ (by path, recursive and paged, or by names) and name the missing ones with the stack to redeploy (SSM_PARAMETER_MISSING). ' +
    'Use first when the stack misbehaves after a deploy, or to find the issuer, JWKS URL, client ids and listener ARN. String values are shown; SecureString values are never decrypted and never shown (type, version, last modified only).',
  input: () => z.object({
    ...envInput,
    path: z.string().optional().describe('Read every parameter under this path (recursive). Default: /opencode/<env>/, checked against the expected set.'),
    names: z.array(z.string()).optional().describe('Read these parameters instead (full names, or suffixes under /opencode/<env>/, e.g. oidc/issuer).'),
    ...regionInputShape,
  }),
  output: () => resultSchema({
    environment: environmentOut,
    mode: z.enum(['path', 'names']),
    path: z.string().optional(),
    parameters: z.array(z.object({
      name: z.string(),
      type: z.string(),
      value: z.string().optional().describe('String/StringList values only; SecureString values are never read.'),
      version: z.number().optional(),
      last_modified: z.string().optional(),
    })),
    missing: z.array(z.string()),
    pages: z.number().optional(),
    truncated: z.boolean().optional(),
  }),
  type: 'readOnly',
  network: true,
  cli: { command: 'ssm', summary: 'Read the OpenCode SSM parameters; name the missing ones and the stack to redeploy', examples: ['jwt-triage ssm --env dev', 'jwt-triage ssm --names oidc/issuer,oidc/cli-client-id'] },
  async handle(input, ctx) {
    const s = stackOf(ctx, input);
    const byNames = input.names !== undefined && input.names.length > 0;
    if (byNames && input.path !== undefined) throw new UsageError('Both path and names given.', 'Pass either path or names.');
    const path = input.path ?? s.prefix;
    const findings: Finding[] = [];
    let parameters: SsmParameterFact[] = [];
    let missing: string[] = [];
    let paging: { pages?: number; truncated?: boolean } = {};
    if (byNames) {
      const names = input.names!.map((n) => (n.startsWith('/') ? n : s.prefix + n));
      const got = await attempt(findings, () => ssmByNames(s.aws, names), { profile: s.profile });
      parameters = got?.parameters ?? [];
      if (got) {
        const present = new Set(parameters.map((p) => p.name));
        const expected = names.map((n) => ({ name: n, stack: n.startsWith(s.prefix) ? stackOfParameter(n.slice(s.prefix.length)) : undefined }));
        findings.push(...checkSsmParameters(expected, present, { redeploy: REDEPLOY, env: s.env, prefix: s.prefix }));
        missing = names.filter((n) => !present.has(n));
      }
    } else {
      const tree = await gatherSsmTree(ctx, s, path);
      findings.push(...tree.findings);
      parameters = tree.parameters;
      if (tree.read) {
        paging = { pages: tree.pages, truncated: tree.truncated };
        const present = new Set(parameters.map((p) => p.name));
        if (path.replace(/\/?$/, '/') === s.prefix) missing = EXPECTED_PARAMETERS.map((p) => s.prefix + p.suffix).filter((n) => !present.has(n));
      }
    }
    const out = parameters.map((p) => defined({ name: p.name, type: p.type, value: p.value, version: p.version, last_modified: p.lastModified }));
    return {
      ...resultOf(findings, `${out.length} parameter(s) read ${byNames ? 'by name' : `under ${path}`}; none of the expected ones is missing.`),
      environment: s.env,
      mode: byNames ? ('names' as const) : ('path' as const),
      ...(byNames ? {} : { path }),
      parameters: out,
      missing,
      ...paging,
    };
  },
  text: (o) => [
    `environment: ${o.environment.name} (from ${o.environment.source})`,
    ...o.parameters.map((p) => `  ${p.name} [${p.type}${p.version ? ` v${p.version}` : ''}] ${p.value ?? '(SecureString: value not read)'}`),
  ],
});

// ── describe_listener_rules ───────────────────────────────────────────────────
const describeListenerRules = defineTool({
  name: 'describe_listener_rules',
  toolsets: ['opencode'],
  title: 'Describe the JWT ALB listener rules',
  description:
    'List every rule of the OpenCode JWT ALB\'s HTTPS listener with ALL its conditions (path-pattern, http-header with its header name, host-header…) and actions sorted by Order, and compare them with the chain the API stack creates ' +
    '(1 health, 2 update, 3 api-keys + Bearer, 5 Bearer, 10 X-API-Key oc_*, default fixed-response 403): ALB_RULE_MISSING, ALB_RULE_MISORDERED, ALB_RULE_UNEXPECTED, ALB_DEFAULT_ACTION_CHANGED, ALB_LISTENER_NOT_FOUND. ' +
    'Use when requests get an unexpected 401/403. The listener ARN is read from SSM unless given.',
  input: () => z.object({ ...envInput, ...listenerInput, ...regionInputShape }),
  output: () => resultSchema({
    environment: environmentOut,
    listener_arn: z.string().optional(),
    listener_arn_source: z.enum(['input', 'ssm']).optional(),
    listener: z.object({ protocol: z.string().optional(), port: z.number().optional(), load_balancer_arn: z.string().optional() }).optional(),
    rules: z.array(ruleOut).describe('In evaluation order: ascending priority, default last.'),
  }),
  type: 'readOnly',
  network: true,
  cli: { command: 'rules', summary: 'List the JWT ALB listener rules and compare them with the stack\'s chain', examples: ['jwt-triage rules --env dev', 'jwt-triage rules --listener-arn arn:aws:elasticloadbalancing:…:listener/app/opencode-jwt-dev/…'] },
  async handle(input, ctx) {
    const s = stackOf(ctx, input);
    const loaded = await gatherListener(ctx, s, input.listener_arn);
    const findings = [...loaded.findings];
    if (loaded.rules) findings.push(...checkRuleChain(loaded.rules, rulesFromSpec(EXPECTED_RULES)));
    const sorted = [...(loaded.rules ?? [])].sort((a, b) => (a.priority === 'default' ? 1 : b.priority === 'default' ? -1 : a.priority - b.priority));
    return {
      ...resultOf(findings, `The listener's ${sorted.length} rules match the stack's chain (default: fixed-response 403).`),
      environment: s.env,
      ...defined({ listener_arn: loaded.listenerArn, listener_arn_source: loaded.listenerSource }),
      ...(loaded.listener ? { listener: defined({ protocol: loaded.listener.protocol, port: loaded.listener.port, load_balancer_arn: loaded.listener.loadBalancerArn }) } : {}),
      rules: sorted.map(ruleToOut),
    };
  },
  text: (o) => o.rules.map((r) => `  ${r.priority.padStart(7)}  ${r.summary}`),
});

// ── check_alb_jwt_config ──────────────────────────────────────────────────────
const checkAlbJwt = defineTool({
  name: 'check_alb_jwt_config',
  toolsets: ['default', 'opencode'],
  title: 'Check the ALB jwt-validation config',
  description:
    'Compare the jwt-validation action on the JWT ALB\'s rules 3 and 5 (Issuer, JwksEndpoint, aud additional claim) with SSM oidc/issuer, oidc/jwks-url and oidc/cli-client-id: ALB_JWT_CONFIG_MISMATCH when the ALB holds stale values (the CDK caches SSM lookups in cdk.context.json). ' +
    'Also checks the live JWKS against the ALB limits (RS256 only, ≤ 10 keys, ≤ 150 KB) and, if a token is given, judges it as the ALB does (alg, exp, iss, aud format, Cognito access vs ID token, kid and signature). Use when valid-looking Bearer tokens get 401.',
  input: () => z.object({
    ...envInput,
    ...listenerInput,
    ...tokenInputShape,
    check_jwks: z.boolean().optional().describe('Fetch the JWKS the ALB uses and check its limits (default true).'),
    ...regionInputShape,
  }),
  output: () => resultSchema({
    environment: environmentOut,
    listener_arn: z.string().optional(),
    ssm: z.object({ issuer: z.string().optional(), jwks_url: z.string().optional(), cli_client_id: z.string().optional() }),
    jwt_rules: z.array(z.object({
      priority: z.number(),
      rule_found: z.boolean(),
      issuer: z.string().optional(),
      jwks_endpoint: z.string().optional(),
      additional_claims: z.array(z.object({ name: z.string(), format: z.string(), values: z.array(z.string()) })).optional(),
    })),
    jwks: z.object({ url: z.string(), key_count: z.number(), bytes: z.number(), kids: z.array(z.string()) }).optional(),
    ...tokenOut,
  }),
  type: 'readOnly',
  network: true,
  cli: { command: 'alb-jwt', summary: 'Compare the ALB jwt-validation config with SSM, the JWKS and a token', examples: ['jwt-triage alb-jwt --env dev', 'jwt-triage alb-jwt --token-file ~/.opencode/id_token'] },
  async handle(input, ctx) {
    const s = stackOf(ctx, input);
    const tok = await loadOptionalToken(input, ctx);
    const g = await gatherAlbJwt(ctx, s, input.listener_arn);
    const { ssm, configs, config } = g;
    const loaded = g.listener;
    const findings = [...g.findings];
    const jwksUrl = config?.jwksEndpoint ?? ssm.jwksUrl;
    const jwks = jwksUrl && input.check_jwks !== false ? await albJwks(jwksUrl, ctx, findings) : undefined;
    if (tok?.malformed) findings.push(tok.malformed);
    if (tok?.facts) findings.push(...(await judgeTokenForAlb({ raw: tok.raw, token: tok.facts, now: ctx.now, config, ssm, keys: jwks?.keys })));
    return {
      ...resultOf(findings, 'The ALB\'s jwt-validation config matches SSM' + (tok ? ' and the token passes it.' : '.')),
      environment: s.env,
      ...defined({ listener_arn: loaded.listenerArn }),
      ssm: defined({ issuer: ssm.issuer, jwks_url: ssm.jwksUrl, cli_client_id: ssm.cliClientId }),
      jwt_rules: configs.map((c) => defined({ priority: c.priority, rule_found: c.ruleFound, issuer: c.config?.issuer, jwks_endpoint: c.config?.jwksEndpoint, additional_claims: c.config?.additionalClaims })),
      ...(jwks && jwksUrl ? { jwks: { url: jwksUrl, key_count: jwks.keys.length, bytes: jwks.bytes, kids: jwks.keys.map((k) => k.kid ?? `#${k.index}`) } } : {}),
      ...tokenIdent(tok),
    };
  },
  text: (o) => [
    `SSM: issuer ${o.ssm.issuer ?? '?'}; jwks ${o.ssm.jwks_url ?? '?'}; cli client ${o.ssm.cli_client_id ?? '?'}`,
    ...o.jwt_rules.map((r) => `rule ${r.priority}: ${r.issuer ? `issuer ${r.issuer}; jwks ${r.jwks_endpoint}; ${(r.additional_claims ?? []).map((c) => `${c.name} (${c.format}) ∈ [${c.values.join(', ')}]`).join('; ')}` : r.rule_found ? 'no jwt-validation' : 'missing'}`),
  ],
});

// ── simulate_request ──────────────────────────────────────────────────────────
const FORBIDDEN_HEADERS = /^(authorization|proxy-authorization|x-api-key|cookie)$/i;

function buildRequest(input: { method: string; path: string; bearer?: boolean | undefined; api_key_prefix?: string | undefined; has_api_key?: boolean | undefined; headers?: string[] | undefined }, hasToken: boolean): SimRequest {
  if (!input.path.startsWith('/')) throw new UsageError(`path "${input.path}" does not start with "/".`, 'Pass the request path, e.g. /v1/chat/completions.');
  const headers: Record<string, string> = {};
  for (const h of input.headers ?? []) {
    const i = h.indexOf(':');
    if (i <= 0) throw new UsageError(`header "${h}" is not "Name: value".`, 'Pass headers as "Name: value", e.g. "Host: api.example.com".');
    const name = h.slice(0, i).trim();
    if (FORBIDDEN_HEADERS.test(name)) throw new UsageError(`${name} must not be passed in headers (its value is a secret).`, 'Use bearer (or token_file/token_env) for Authorization, and api_key_prefix or has_api_key for X-API-Key.');
    headers[name] = h.slice(i + 1).trim();
  }
  if (input.bearer === false && hasToken) throw new UsageError('bearer is false but a token was given.', 'Drop bearer, or drop the token.');
  if (input.bearer || hasToken) headers.Authorization = 'Bearer <token>';
  if (input.api_key_prefix !== undefined) {
    if (input.api_key_prefix.length > 12) throw new UsageError('api_key_prefix is longer than a prefix.', 'Pass only the first characters of the key (e.g. its 10-character key_prefix "oc_AbCdEfG"), never the whole key.');
    headers['X-API-Key'] = input.api_key_prefix;
  } else if (input.has_api_key) {
    headers['X-API-Key'] = 'oc_';
  }
  return { method: input.method.toUpperCase(), path: input.path, headers };
}

const simulate = defineTool({
  name: 'simulate_request',
  toolsets: ['default', 'opencode'],
  title: 'Simulate a request against the JWT ALB',
  description:
    'Why 403 and not 401? Given method, path and whether a Bearer token and/or an X-API-Key is sent, finds which listener rule answers under ALB semantics and what the caller gets: forward, 401 from jwt-validation, or the default 403. Live rules, or the stack\'s chain with offline. Pass the token (token_file/token_env) to judge it as the ALB would; never secret header values.',
  input: () => z.object({
    ...envInput,
    method: z.string().default('GET').describe('HTTP method (default GET).'),
    path: z.string().describe('Request path, e.g. /v1/chat/completions (a query string is used for matching, never shown).'),
    bearer: z.boolean().optional().describe('Whether the request sends Authorization: Bearer <token> (implied by a token input).'),
    ...tokenInputShape,
    api_key_prefix: z.string().optional().describe('The first characters of the X-API-Key value (e.g. "oc_AbCdEfG" or "sk-"), never the whole key.'),
    has_api_key: z.boolean().optional().describe('The request sends an X-API-Key that starts with oc_ (when the prefix is not known).'),
    headers: z.array(z.string()).optional().describe('Other headers as "Name: value" (e.g. "Host: api.example.com"); never Authorization, X-API-Key or Cookie.'),
    offline: z.boolean().optional().describe('Use the stack\'s known rule chain instead of reading the live rules from AWS.'),
    ...listenerInput,
    ...regionInputShape,
  }),
  output: () => resultSchema({
    environment: environmentOut,
    rules_source: z.enum(['live', 'preset']).describe('live: read from the listener; preset: the chain the API stack creates.'),
    request: z.object({ method: z.string(), path: z.string().describe('Without the query string.'), headers: z.array(z.string()).describe('Names with non-secret values only.') }),
    evaluations: z.array(z.object({ priority: z.string(), matched: z.enum(['yes', 'no', 'unknown']), why: z.string() })).describe('Rules in evaluation order up to the one that matched.'),
    outcome: z.object({
      rule: z.string().nullable(),
      action: z.enum(['forward', 'fixed-response', 'jwt-401', 'jwt-depends', 'redirect', 'authenticate', 'none']),
      status: z.number().nullable().describe('The status the ALB answers itself; null when forwarded or when it depends on the token.'),
      why: z.string(),
    }),
    ...tokenOut,
  }),
  type: 'readOnly',
  network: true,
  cli: {
    command: 'simulate',
    summary: 'Which ALB rule answers a request, and why 401/403',
    examples: ['jwt-triage simulate --path /v1/chat/completions --api-key-prefix sk-abc --offline', 'jwt-triage simulate --path /v1/models --token-file ~/.opencode/id_token --has-api-key'],
    positional: 'path',
  },
  async handle(input, ctx) {
    const s = stackOf(ctx, input);
    const tok = await loadOptionalToken(input, ctx);
    const req = buildRequest(input, tok !== undefined);
    let rules: RuleFact[] | undefined;
    const findings: Finding[] = [];
    if (!input.offline) {
      const loaded = await gatherListener(ctx, s, input.listener_arn);
      findings.push(...loaded.findings);
      rules = loaded.rules;
    }
    const source = rules ? ('live' as const) : ('preset' as const);
    rules ??= rulesFromSpec(EXPECTED_RULES);
    let sim = simulateRequest(rules, req, { state: 'unknown' });
    if (tok && sim.outcome.action === 'jwt-depends') {
      const rule = rules.find((r) => r.priority === sim.outcome.priority);
      const config = rule?.actions.find((a) => a.type === 'jwt-validation')?.jwtValidation;
      const tokenFindings: Finding[] = tok.malformed ? [tok.malformed] : [];
      const jwks = config && !input.offline ? await albJwks(config.jwksEndpoint, ctx, tokenFindings) : undefined;
      if (tok.facts) tokenFindings.push(...(await judgeTokenForAlb({ raw: tok.raw, token: tok.facts, now: ctx.now, config, keys: jwks?.keys })));
      findings.push(...tokenFindings);
      const bad = rejections(tokenFindings);
      const judgement: TokenJudgement = bad.length ? { state: 'invalid', reasons: bad.map((f) => f.title) } : config && jwks ? { state: 'valid' } : { state: 'unknown' };
      sim = simulateRequest(rules, req, judgement);
    }
    findings.unshift(...sim.findings);
    const o = sim.outcome;
    return {
      ...resultOf(findings, `${req.method} ${req.path.split('?')[0]} is ${o.action === 'forward' ? `forwarded by rule ${o.priority}` : o.why}.`),
      environment: s.env,
      rules_source: source,
      request: { method: req.method, path: req.path.split('?')[0] ?? '', headers: Object.entries(req.headers).map(([k, v]) => `${k} (${shownValue(k, v)})`) },
      evaluations: sim.evaluations.map((e) => ({ priority: String(e.priority), matched: e.matched === 'unknown' ? ('unknown' as const) : e.matched ? ('yes' as const) : ('no' as const), why: e.why })),
      outcome: { rule: o.priority === null ? null : String(o.priority), action: o.action, status: o.status, why: o.why },
      ...tokenIdent(tok),
    };
  },
  text: (o) => [
    `${o.request.method} ${o.request.path} (${o.rules_source} rules)${o.request.headers.length ? ` with ${o.request.headers.join(', ')}` : ''}`,
    ...o.evaluations.map((e) => `  ${e.matched === 'yes' ? '→' : ' '} ${e.priority.padStart(7)}  ${e.why}`),
    `outcome: ${o.outcome.status ?? o.outcome.action} — ${o.outcome.why}`,
  ],
});

export default [getSsmParameters, describeListenerRules, checkAlbJwt, simulate];
