/** S3: ALB access-log objects — listed (paged, capped) and read (gunzipped, capped; streamed line by line). */
import type { GetObjectCommandOutput, ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { SourceError } from '../errors.js';
import { classifyAwsError, loadSdk, type AwsSession } from './client.js';

type Sdk = typeof import('@aws-sdk/client-s3');
const sdk = () => loadSdk<Sdk>('@aws-sdk/client-s3');
const client = (aws: AwsSession) => aws.client('s3', sdk().S3Client);

export interface S3ObjectFact {
  key: string;
  size: number;
}

/** Lists the objects under each prefix (paged, capped). A missing bucket throws (kind not_found). */
export async function listObjects(aws: AwsSession, bucket: string, prefixes: string[], maxKeys: number): Promise<{ objects: S3ObjectFact[]; truncated: boolean }> {
  const { ListObjectsV2Command } = sdk();
  const objects: S3ObjectFact[] = [];
  for (const prefix of prefixes) {
    let token: string | undefined;
    do {
      const r = await aws.send<ListObjectsV2CommandOutput>('s3:ListBucket', client(aws),
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
      for (const o of r.Contents ?? []) if (o.Key) objects.push({ key: o.Key, size: o.Size ?? 0 });
      if (objects.length >= maxKeys) return { objects: objects.slice(0, maxKeys), truncated: true };
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
  }
  return { objects, truncated: false };
}

export interface LineBudget {
  /** Stop after this many bytes of (unpacked) text from this object. */
  maxBytes: number;
  /** Checked between chunks: return true to stop reading (a shared byte/line budget or a deadline). */
  stop?: () => boolean;
  signal?: AbortSignal | undefined;
}

export interface LinesRead {
  bytes: number;
  lines: number;
  /** Reading stopped before the end of the object (maxBytes or `stop`). */
  truncated: boolean;
}

/**
 * Streams one object's lines to `onLine`, gunzipping as a stream when the object is gzip: at
 * most one chunk (~64 KB) of the object and one line are held at a time, so memory stays flat
 * whatever the object's size. A gzip error is SOURCE_FILE; AWS errors are classified by the
 * session; cancellation stops the download.
 */
export async function forEachObjectLine(aws: AwsSession, bucket: string, key: string, budget: LineBudget, onLine: (line: string) => void): Promise<LinesRead> {
  const { GetObjectCommand } = sdk();
  const r = await aws.send<GetObjectCommandOutput>('s3:GetObject', client(aws), new GetObjectCommand({ Bucket: bucket, Key: key }));
  const read: LinesRead = { bytes: 0, lines: 0, truncated: false };
  if (!r.Body) return read;
  const body = r.Body as unknown as Readable;
  const chunks = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await chunks.next();
  if (first.done) return read;
  const head = first.value;
  const gz = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  const raw = Readable.from((async function* () {
    yield head;
    for (let c = await chunks.next(); !c.done; c = await chunks.next()) yield c.value;
  })());
  const text: Readable = gz ? raw.pipe(createGunzip()) : raw;
  if (gz) raw.on('error', (e) => text.destroy(e));
  const onAbort = () => text.destroy(Object.assign(new Error('The call was cancelled.'), { name: 'AbortError' }));
  budget.signal?.addEventListener('abort', onAbort, { once: true });
  const decoder = new StringDecoder('utf8');
  let rest = '';
  const emit = (chunk: string) => {
    const s = rest + chunk;
    let from = 0;
    for (let nl = s.indexOf('\n'); nl >= 0; nl = s.indexOf('\n', from)) {
      onLine(s.slice(from, nl));
      read.lines++;
      from = nl + 1;
    }
    rest = s.slice(from);
  };
  try {
    for await (const chunk of text) {
      const b = chunk as Buffer;
      const room = budget.maxBytes - read.bytes;
      if (b.length >= room) {
        emit(decoder.write(b.subarray(0, room)));
        read.bytes += room;
        read.truncated = true;
        rest = ''; // a line cut by the budget is not counted
        break;
      }
      read.bytes += b.length;
      emit(decoder.write(b));
      if (budget.stop?.()) {
        read.truncated = true;
        rest = '';
        break;
      }
    }
    if (!read.truncated) {
      emit(decoder.end());
      if (rest) {
        onLine(rest);
        read.lines++;
      }
    }
  } catch (e) {
    const zcode = (e as NodeJS.ErrnoException).code;
    if (typeof zcode === 'string' && zcode.startsWith('Z_') && !budget.signal?.aborted) {
      throw new SourceError('SOURCE_FILE', `s3://${bucket}/${key} is not valid gzip.`, { key }, { cause: e });
    }
    throw classifyAwsError(e, 's3:GetObject', { ...aws.options, signal: budget.signal ?? aws.options.signal });
  } finally {
    budget.signal?.removeEventListener('abort', onAbort);
    text.destroy();
    raw.destroy();
    body.destroy();
  }
  return read;
}
