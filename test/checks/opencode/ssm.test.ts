import { describe, expect, it } from 'vitest';
import { checkSsmParameters } from '../../../src/checks/opencode/ssm.js';
import { REDEPLOY } from '../../../src/presets/opencode.js';

const expected = [
  { name: '/opencode/dev/oidc/issuer', stack: 'auth' },
  { name: '/opencode/dev/oidc/cli-client-id', stack: 'auth' },
  { name: '/opencode/dev/alb/jwt/listener-arn', stack: 'api' },
];
const opts = { redeploy: REDEPLOY, env: { name: 'dev', source: 'default' }, prefix: '/opencode/dev/' };

describe('checkSsmParameters', () => {
  it('passes SSM_PARAMETER_MISSING when all exist', () => {
    const [f] = checkSsmParameters(expected, new Set(expected.map((p) => p.name)), opts);
    expect(f).toMatchObject({ code: 'SSM_PARAMETER_MISSING', status: 'pass' });
  });

  it('reports SSM_PARAMETER_MISSING once per stack with its redeploy command', () => {
    const findings = checkSsmParameters(expected, new Set(['/opencode/dev/oidc/cli-client-id']), opts);
    expect(findings.map((f) => [f.status, f.evidence.stack, f.fix])).toEqual([
      ['fail', 'auth', 'ENVIRONMENT=dev ./scripts/deploy.sh auth'],
      ['fail', 'api', 'ENVIRONMENT=dev ./scripts/deploy.sh api'],
    ]);
  });

  it('reports SSM_PARAMETER_MISSING with a wrong-environment hint when nothing exists', () => {
    const findings = checkSsmParameters(expected, new Set(), opts);
    expect(findings.every((f) => /environment name "dev" \(from default\) may be wrong/.test(f.detail))).toBe(true);
    expect(findings[0]!.fix).toMatch(/Check the environment/);
  });
});
