/** The OpenCode sources against a real moto server: paging, SecureString dropping, rule facts. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsSession } from '../../src/sources/aws/client.js';
import { SourceError } from '../../src/sources/errors.js';
import { describeListener, describeRules } from '../../src/sources/aws/elbv2.js';
import { ssmByNames, ssmByPath } from '../../src/sources/aws/ssm.js';
import { useMoto, motoEnv, type Moto } from '../helpers/moto.js';
import { buildOpencodeWorld, type OpencodeWorld } from '../helpers/opencode-world.js';

const moto: Moto | undefined = await useMoto();
const CANARY = 'CANARY-sources-securestring';
const OIDC_CANARY = 'CANARY-sources-client-secret';

describe.skipIf(!moto)('sources/opencode against moto', () => {
  let w: OpencodeWorld;
  beforeAll(async () => {
    Object.assign(process.env, motoEnv(moto!.endpoint));
    w = await buildOpencodeWorld(moto!.endpoint, {
      issuer: 'https://issuer.example.com/pool', jwksUrl: 'https://issuer.example.com/pool/.well-known/jwks.json', cliClientId: 'cli', secureValue: CANARY,
      break: {
        rules: (c, { targetGroupArn }) => [...c, {
          priority: 7,
          conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['admin.example.com'] } }],
          actions: [
            { Type: 'forward', Order: 2, TargetGroupArn: targetGroupArn },
            { Type: 'authenticate-oidc', Order: 1, AuthenticateOidcConfig: { Issuer: 'https://i', AuthorizationEndpoint: 'https://i/a', TokenEndpoint: 'https://i/t', UserInfoEndpoint: 'https://i/u', ClientId: 'c', ClientSecret: OIDC_CANARY } },
          ],
        }],
      },
    });
  });
  afterAll(async () => moto?.stop());
  const aws = () => awsSession({});

  it('pages GetParametersByPath and drops SecureString values by type', async () => {
    const r = await ssmByPath(aws(), w.prefix);
    expect(r.pages).toBeGreaterThanOrEqual(2);
    expect(r.truncated).toBe(false);
    expect(r.parameters.map((p) => p.name).sort()).toEqual(Object.keys(w.ssm).map((s) => w.prefix + s).sort());
    const secure = r.parameters.find((p) => p.type === 'SecureString')!;
    expect(secure).toMatchObject({ name: `${w.prefix}oidc/alb-client-secret`, version: 1 });
    expect(secure.value).toBeUndefined();
    expect(JSON.stringify(r)).not.toContain(CANARY);
  });

  it('stops at the page cap and says so', async () => {
    const r = await ssmByPath(aws(), w.prefix, { maxPages: 1 });
    expect(r).toMatchObject({ pages: 1, truncated: true });
    expect(r.parameters).toHaveLength(10);
  });

  it('reads by names in chunks of 10 and lists the missing ones', async () => {
    const names = [...Object.keys(w.ssm).map((s) => w.prefix + s), `${w.prefix}nope`];
    const r = await ssmByNames(aws(), names);
    expect(r.parameters).toHaveLength(names.length - 1);
    expect(r.missing).toEqual([`${w.prefix}nope`]);
    expect(JSON.stringify(r)).not.toContain(CANARY);
  });

  it('pages DescribeRules, keeps every condition, sorts actions by Order and drops ClientSecret', async () => {
    const r = await describeRules(aws(), w.listenerArn, { pageSize: 2 });
    expect(r.pages).toBeGreaterThanOrEqual(3);
    expect(r.rules.map((x) => x.priority).sort()).toEqual([1, 10, 2, 3, 5, 7, 'default'].sort());
    const seven = r.rules.find((x) => x.priority === 7)!;
    expect(seven.conditions).toEqual([{ field: 'host-header', values: ['admin.example.com'] }]);
    expect(seven.actions.map((a) => a.type)).toEqual(['authenticate-oidc', 'forward']);
    expect(seven.actions[0]!.authenticate).toMatchObject({ issuer: 'https://i', clientId: 'c' });
    expect(JSON.stringify(r)).not.toContain(OIDC_CANARY);
    const def = r.rules.find((x) => x.priority === 'default')!;
    expect(def.actions[0]!.fixedResponse).toEqual({ statusCode: '403', contentType: 'text/plain', messageBody: 'Forbidden - Authentication required' });
    expect(r.rules.find((x) => x.priority === 5)!.actions[0]!.jwtValidation).toEqual({
      jwksEndpoint: 'https://issuer.example.com/pool/.well-known/jwks.json', issuer: 'https://issuer.example.com/pool', additionalClaims: [{ name: 'aud', format: 'single-string', values: ['cli'] }],
    });
  });

  it('describes the listener, and classifies a missing one as not_found', async () => {
    expect(await describeListener(aws(), w.listenerArn)).toMatchObject({ protocol: 'HTTPS', port: 443, loadBalancerArn: w.loadBalancerArn });
    const e = await describeListener(aws(), w.listenerArn.replace(/\/[0-9a-f]+$/, '/0000000000000000')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SourceError);
    expect((e as SourceError).facts).toMatchObject({ kind: 'not_found', action: 'elasticloadbalancing:DescribeListeners' });
  });
});
