/**
 * The one way jwt-triage reads a file it is pointed at (a token, an API key, a JWKS, a saved
 * log, a policy): regular files only, the size checked with fstat on the opened descriptor
 * before anything is read, and a bounded read that stops at the limit even when the file grows.
 *
 * Why: a FIFO blocks `readFile` forever, `/dev/zero` or a sparse 300 MB file was read in full
 * before any size check. The file is opened with O_NONBLOCK so opening a FIFO with no writer
 * returns at once; it is then refused as "not a regular file".
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { SourceError } from './errors.js';

export type FileProblem = 'missing' | 'unreadable' | 'not_regular' | 'too_large' | 'error';

/** A file that could not be read: `problem` says why, the message names the path and the fix. */
export class FileReadError extends SourceError {
  constructor(
    readonly problem: FileProblem,
    readonly path: string,
    message: string,
    facts: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(problem === 'too_large' ? 'SOURCE_TOO_LARGE' : 'SOURCE_FILE', message, { path, problem, ...facts }, options);
  }
}

function kindOf(s: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (s.isDirectory()) return 'a directory';
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Reads at most `maxBytes` of a regular file as UTF-8. Throws FileReadError (a SourceError:
 * SOURCE_FILE, or SOURCE_TOO_LARGE) naming the path, the problem and the limit.
 */
export async function readBoundedFile(path: string, maxBytes: number): Promise<string> {
  if (typeof path !== 'string' || path.length === 0) throw new FileReadError('error', String(path), 'An empty path was given.');
  if (path.includes('\0')) throw new FileReadError('error', path.replace(/\0/g, '\\0'), 'The path contains a NUL byte.');
  let fh;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new FileReadError('missing', path, `${path} does not exist.`, { error_code: code }, { cause: e });
    if (code === 'EACCES' || code === 'EPERM') throw new FileReadError('unreadable', path, `${path} is not readable by the jwt-triage process.`, { error_code: code }, { cause: e });
    if (code === 'EISDIR') throw new FileReadError('not_regular', path, `${path} is a directory, not a regular file.`, { error_code: code }, { cause: e });
    if (code === 'ENXIO') throw new FileReadError('not_regular', path, `${path} is a FIFO or socket, not a regular file.`, { error_code: code }, { cause: e });
    throw new FileReadError('error', path, `${path} cannot be read (${code ?? 'error'}).`, { error_code: code }, { cause: e });
  }
  try {
    const s = await fh.stat();
    if (!s.isFile()) throw new FileReadError('not_regular', path, `${path} is ${kindOf(s)}; only regular files are read.`);
    if (s.size > maxBytes) {
      throw new FileReadError('too_large', path, `${path} is ${s.size} bytes; the limit is ${maxBytes}.`, { bytes: s.size, limit_bytes: maxBytes });
    }
    // Read at most maxBytes + 1 bytes: a file that grew past the limit since fstat is still refused.
    const chunks: Buffer[] = [];
    let got = 0;
    for (;;) {
      const want = Math.min(64 * 1024, maxBytes + 1 - got);
      if (want <= 0) break;
      const chunk = Buffer.allocUnsafe(want);
      const { bytesRead } = await fh.read(chunk, 0, want, got);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      got += bytesRead;
    }
    if (got > maxBytes) throw new FileReadError('too_large', path, `${path} is larger than the limit of ${maxBytes} bytes.`, { limit_bytes: maxBytes });
    return Buffer.concat(chunks, got).toString('utf8');
  } catch (e) {
    if (e instanceof FileReadError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new FileReadError(code === 'EISDIR' ? 'not_regular' : 'error', path, `${path} cannot be read (${code ?? 'error'}).`, { error_code: code }, { cause: e });
  } finally {
    await fh.close().catch(() => undefined);
  }
}
