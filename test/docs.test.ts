import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FINDING_CODES } from '../src/checks/codes.js';
import { generatedSections } from '../src/docs.js';
import { AWS_ACTIONS } from '../src/sources/aws/client.js';
import { VERSION } from '../src/version.js';

const root = new URL('..', import.meta.url).pathname;
const readme = readFileSync(join(root, 'README.md'), 'utf8');

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (name === 'node_modules' || name === '__toolsnaps__') return [];
    return statSync(p).isDirectory() ? files(p, ext) : ext.test(name) ? [p] : [];
  });
}

describe('README generated sections', () => {
  it.each(Object.entries(generatedSections()))('section %s matches the code (run `npm run docs` after a change)', (name, body) => {
    const m = new RegExp(`<!-- ${name}:start -->\\n([\\s\\S]*?)\\n<!-- ${name}:end -->`).exec(readme);
    expect(m, `README.md lacks the ${name} markers`).not.toBeNull();
    expect(m![1]).toBe(body);
  });
});

describe('finding codes', () => {
  const tests = files(join(root, 'test'), /\.test\.ts$/)
    .filter((f) => !f.endsWith('docs.test.ts'))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  it.each(FINDING_CODES)('%s is produced by at least one test', (code) => {
    expect(tests.includes(code), `no test mentions ${code}`).toBe(true);
  });
});

describe('AWS actions', () => {
  const PREFIX: Record<string, string> = {
    'client-ssm': 'ssm',
    'client-elastic-load-balancing-v2': 'elasticloadbalancing',
    'client-dynamodb': 'dynamodb',
    'client-ecs': 'ecs',
    'client-cloudwatch-logs': 'logs',
    'client-s3': 's3',
    'client-iam': 'iam',
    'client-sts': 'sts',
    'client-eks': 'eks',
    'client-cloudtrail': 'cloudtrail',
  };
  const S3_ACTION: Record<string, string> = { ListObjectsV2: 'ListBucket', ListObjects: 'ListBucket', HeadBucket: 'ListBucket' };
  const used = new Set<string>();
  for (const f of files(join(root, 'src'), /\.ts$/)) {
    const text = readFileSync(f, 'utf8');
    // A source file loads one SDK package lazily (`loadSdk<Sdk>('@aws-sdk/client-x')`) and uses
    // its `XCommand` classes: every command named in the file is an action it can send.
    for (const pkg of text.matchAll(/loadSdk<\w+>\('@aws-sdk\/(client-[a-z0-9-]+)'\)/g)) {
      const prefix = PREFIX[pkg[1]!];
      if (!prefix) continue;
      for (const m of text.matchAll(/\b([A-Z]\w*?)Command\b(?!Output|Input)/g)) {
        const op = m[1]!;
        used.add(`${prefix}:${prefix === 's3' ? (S3_ACTION[op] ?? op) : op}`);
      }
    }
  }

  it('the README policy lists exactly the actions the code calls (plus none it does not)', () => {
    const probe = 'sts:AssumeRoleWithWebIdentity';
    const calls = [...used].filter((a) => a !== probe).sort();
    expect(calls).toEqual([...AWS_ACTIONS].sort());
  });

  it('calls only read-style operations (the opt-in STS probe is the one exception)', () => {
    for (const a of used) {
      if (a === 'sts:AssumeRoleWithWebIdentity') continue;
      expect(a.split(':')[1], a).toMatch(/^(Get|List|Describe|Filter|Lookup|StartQuery$|GetQueryResults$)/);
    }
  });
});

describe('version', () => {
  it('src/version.ts equals package.json', () => {
    expect(VERSION).toBe(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
  });
});
