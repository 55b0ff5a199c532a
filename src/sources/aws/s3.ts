/** S3: ALB access-log objects — listed (paged, capped) and read (gunzipped, capped). */
import type { GetObjectCommandOutput, ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import { gunzipSync } from 'node:zlib';
import { SourceError } from '../errors.js';
import { loadSdk, type AwsSession } from './client.js';

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

/** One object's text, gunzipped when it is gzip, at most `maxBytes` of output. */
export async function readObjectText(aws: AwsSession, bucket: string, key: string, maxBytes: number): Promise<string> {
  const { GetObjectCommand } = sdk();
  const r = await aws.send<GetObjectCommandOutput>('s3:GetObject', client(aws), new GetObjectCommand({ Bucket: bucket, Key: key }));
  const body = r.Body ? Buffer.from(await r.Body.transformToByteArray()) : Buffer.alloc(0);
  const gz = body.length > 2 && body[0] === 0x1f && body[1] === 0x8b;
  try {
    const text = gz ? gunzipSync(body, { maxOutputLength: maxBytes }) : body.subarray(0, maxBytes);
    return text.toString('utf8');
  } catch (e) {
    const tooLarge = (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError;
    const why = tooLarge ? `unpacks to more than ${maxBytes} bytes` : 'is not valid gzip';
    throw new SourceError(tooLarge ? 'SOURCE_TOO_LARGE' : 'SOURCE_FILE', `s3://${bucket}/${key} ${why}.`, { key }, { cause: e });
  }
}
