import { CreateOpenIDConnectProviderCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsSession } from '../../src/sources/aws/client.js';
import { SourceError } from '../../src/sources/errors.js';
import { decodePolicyDocument, getRole, listOidcProviders, roleNameOf } from '../../src/sources/aws/iam.js';
import { motoEnv, useMoto, type Moto } from '../helpers/moto.js';
import { need } from '../helpers/needs.js';

let moto: Moto | undefined;
const saved = { ...process.env };

beforeAll(async () => {
  moto = await useMoto();
  if (moto) process.env = { ...process.env, ...motoEnv(moto.endpoint) };
});
afterAll(async () => {
  process.env = saved;
  await moto?.stop();
});

describe.skipIf(!need('moto_server'))('sources/iam against moto', () => {
  it('lists providers with URL (scheme-less, slash kept), client ids and thumbprints', async () => {
    const iam = new IAMClient({});
    await iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://bridge.tail1234.ts.net/', ClientIDList: ['sts.amazonaws.com'], ThumbprintList: ['a'.repeat(40)] }));
    const list = await listOidcProviders(awsSession());
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ arn: 'arn:aws:iam::123456789012:oidc-provider/bridge.tail1234.ts.net/', url: 'bridge.tail1234.ts.net/', clientIds: ['sts.amazonaws.com'], thumbprints: ['a'.repeat(40)] });
  });

  it('reads a role and URL-decodes its trust policy', async () => {
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/x' }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { 'x:sub': 'system:serviceaccount:a:b' } } }] };
    await new IAMClient({}).send(new CreateRoleCommand({ RoleName: 'uploader', AssumeRolePolicyDocument: JSON.stringify(doc) }));
    const role = await getRole(awsSession(), 'uploader');
    expect(role.arn).toBe('arn:aws:iam::123456789012:role/uploader');
    expect(role.trustPolicy).toEqual(doc);
  });

  it('classifies a missing role as not_found', async () => {
    const e = await getRole(awsSession(), 'nope').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SourceError);
    expect((e as SourceError).facts).toMatchObject({ kind: 'not_found', action: 'iam:GetRole' });
  });
});

describe('policy helpers', () => {
  it('decodes URL-encoded and plain documents alike', () => {
    const doc = { Statement: [] };
    expect(decodePolicyDocument(encodeURIComponent(JSON.stringify(doc)))).toEqual(doc);
    expect(decodePolicyDocument(JSON.stringify(doc))).toEqual(doc);
  });
  it('takes the role name from an ARN with a path', () => {
    expect(roleNameOf('arn:aws:iam::123456789012:role/team/uploader')).toBe('uploader');
  });
});
