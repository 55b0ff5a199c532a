/**
 * SSM parameters the OpenCode stacks write: which are missing, and which stack to redeploy.
 */
import { fail, pass, type Finding } from '../finding.js';

export interface ExpectedParameter {
  name: string;
  /** The stack that writes it (undefined when unknown). */
  stack?: string | undefined;
}

export interface SsmCheckOptions {
  /** Command per stack, e.g. { auth: './scripts/deploy.sh auth' }. */
  redeploy: Record<string, string>;
  /** The environment and where its name came from, for the "wrong environment?" hint. */
  env: { name: string; source: string };
  prefix: string;
}

/** One SSM_PARAMETER_MISSING finding per stack with missing parameters, or one pass. */
export function checkSsmParameters(expected: readonly ExpectedParameter[], present: ReadonlySet<string>, opts: SsmCheckOptions): Finding[] {
  const missing = expected.filter((p) => !present.has(p.name));
  if (missing.length === 0) {
    return [pass('SSM_PARAMETER_MISSING', { title: `All ${expected.length} expected parameters exist under ${opts.prefix}`, evidence: { checked: expected.length } })];
  }
  const noneAtAll = missing.length === expected.length && present.size === 0;
  const envHint = noneAtAll
    ? ` Nothing at all exists under ${opts.prefix}: the environment name "${opts.env.name}" (from ${opts.env.source}) may be wrong — pass env, or set ENVIRONMENT.`
    : '';
  const byStack = new Map<string, ExpectedParameter[]>();
  for (const p of missing) {
    const key = p.stack ?? 'unknown';
    byStack.set(key, [...(byStack.get(key) ?? []), p]);
  }
  return [...byStack.entries()].map(([stack, params]) => {
    const cmd = opts.redeploy[stack];
    const names = params.map((p) => p.name);
    return fail('SSM_PARAMETER_MISSING', {
      title: `${names.length} parameter${names.length === 1 ? '' : 's'} of the ${stack} stack missing: ${names.join(', ')}`,
      detail: `The ${stack === 'unknown' ? 'stack that writes them' : `${stack} stack`} has not been deployed for environment "${opts.env.name}", failed, or was deployed to another region or environment.${envHint}`,
      evidence: { stack, missing: names, environment: opts.env.name, environment_source: opts.env.source },
      fix: noneAtAll
        ? `Check the environment (ENVIRONMENT=<env> or env input) and region; if they are right, deploy: ${cmd ?? './scripts/deploy.sh all'}`
        : cmd
          ? `ENVIRONMENT=${opts.env.name} ${cmd}`
          : `Check the parameter names; create them or redeploy the stack that writes them.`,
    });
  });
}
