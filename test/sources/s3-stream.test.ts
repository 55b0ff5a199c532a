/**
 * forEachObjectLine against a real moto S3: gzip unpacked as a stream, line by line, across
 * chunk boundaries; byte budget, stop callback, bad gzip and cancellation.
 */
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsSession } from '../../src/sources/aws/client.js';
import { forEachObjectLine } from '../../src/sources/aws/s3.js';
import { SourceError } from '../../src/sources/errors.js';
import { motoEnv, useMoto, type Moto } from '../helpers/moto.js';
import { need } from '../helpers/needs.js';

const HAS_MOTO = need('moto_server');
const BUCKET = 'stream-test';
const LINES = Array.from({ length: 50_000 }, (_, i) => `line ${i} ${'é'.repeat(i % 7)} ${'x'.repeat(i % 50)}`);

describe.skipIf(!HAS_MOTO)('forEachObjectLine against moto', () => {
  let moto: Moto;
  const saved = { ...process.env };
  beforeAll(async () => {
    moto = (await useMoto())!;
    Object.assign(process.env, motoEnv(moto.endpoint));
    const s3 = new S3Client({ endpoint: moto.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const text = LINES.join('\n') + '\n';
    // Two gzip members, as a concatenated file may hold.
    const half = text.indexOf('\n', text.length >> 1) + 1;
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'big.log.gz', Body: Buffer.concat([gzipSync(text.slice(0, half)), gzipSync(text.slice(half))]) }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'plain.log', Body: 'a\nb\nlast-without-newline' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'bad.log.gz', Body: Buffer.concat([gzipSync('ok\n').subarray(0, 12), Buffer.from('garbage garbage garbage')]) }));
  });
  afterAll(async () => {
    process.env = saved;
    await moto?.stop();
  });

  const aws = () => awsSession({});

  it('streams every line of a multi-member gzip object, multi-byte characters intact', async () => {
    const seen: string[] = [];
    const r = await forEachObjectLine(aws(), BUCKET, 'big.log.gz', { maxBytes: 1e9 }, (l) => seen.push(l));
    expect(seen).toEqual(LINES);
    expect(r).toMatchObject({ lines: LINES.length, truncated: false });
  });

  it('reads plain text too, with a last line that has no newline', async () => {
    const seen: string[] = [];
    await forEachObjectLine(aws(), BUCKET, 'plain.log', { maxBytes: 1e9 }, (l) => seen.push(l));
    expect(seen).toEqual(['a', 'b', 'last-without-newline']);
  });

  it('stops at the byte budget and says so (no partial line)', async () => {
    const seen: string[] = [];
    const r = await forEachObjectLine(aws(), BUCKET, 'big.log.gz', { maxBytes: 100_000 }, (l) => seen.push(l));
    expect(r.truncated).toBe(true);
    expect(r.bytes).toBe(100_000);
    expect(seen.length).toBeGreaterThan(100);
    expect(seen).toEqual(LINES.slice(0, seen.length));
  });

  it('stops when the shared budget says so', async () => {
    let n = 0;
    const r = await forEachObjectLine(aws(), BUCKET, 'big.log.gz', { maxBytes: 1e9, stop: () => n > 1000 }, () => n++);
    expect(r.truncated).toBe(true);
    expect(n).toBeLessThan(LINES.length);
  });

  it('throws SOURCE_FILE for an object that is not valid gzip', async () => {
    const e = await forEachObjectLine(aws(), BUCKET, 'bad.log.gz', { maxBytes: 1e9 }, () => undefined).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SourceError);
    expect((e as SourceError).code).toBe('SOURCE_FILE');
  });

  it('stops the download when the call is cancelled (kind cancelled)', async () => {
    const ac = new AbortController();
    let n = 0;
    const e = await forEachObjectLine(awsSession({ signal: ac.signal }), BUCKET, 'big.log.gz', { maxBytes: 1e9, signal: ac.signal }, () => {
      if (++n === 10) ac.abort();
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SourceError);
    expect((e as SourceError).facts.kind).toBe('cancelled');
    expect(n).toBeLessThan(LINES.length);
  });
});
