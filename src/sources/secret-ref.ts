/**
 * Reads a secret (a token, an API key) given inline, by file or by environment variable.
 * Prefer the last two: the value then never passes through the chat.
 */
import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { UsageError } from './errors.js';

const MAX_BYTES = 256 * 1024;

export interface SecretRef {
  /** The raw value: keep it in memory, register it with the redactor, never return it. */
  value: string;
  /** Where it came from, safe to show: `file:/path`, `env:NAME` or `inline`. */
  source: string;
}

/** The zod fields a tool spreads into its input to take a token. */
export const tokenInputShape = {
  token: z.string().optional().describe('The JWT itself; prefer token_file/token_env (keeps it out of the chat).'),
  token_file: z.string().optional().describe('File holding the JWT ("Bearer " prefix ignored).'),
  token_env: z.string().optional().describe('Env var (of the server process) holding the JWT.'),
};

export interface SecretInput {
  inline?: string | undefined;
  file?: string | undefined;
  env?: string | undefined;
}

/**
 * Resolves exactly one of inline / file / env. `what` names the secret in messages
 * ("token", "API key"); `names` are the input field names, for the fix text.
 */
export async function readSecret(
  input: SecretInput,
  what: string,
  names: { inline?: string; file: string; env: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<SecretRef> {
  const given = [input.inline !== undefined, input.file !== undefined, input.env !== undefined].filter(Boolean).length;
  const options = [names.inline, names.file, names.env].filter(Boolean).join(', ');
  if (given === 0) throw new UsageError(`No ${what} given.`, `Pass one of ${options}.`);
  if (given > 1) throw new UsageError(`More than one ${what} source given.`, `Pass only one of ${options}.`);

  let raw: string;
  let source: string;
  if (input.file !== undefined) {
    source = `file:${input.file}`;
    try {
      const s = await stat(input.file);
      if (!s.isFile()) throw new UsageError(`${names.file} ${input.file} is not a regular file.`, `Point ${names.file} at the file that holds the ${what}.`);
      if (s.size > MAX_BYTES) throw new UsageError(`${names.file} ${input.file} is ${s.size} bytes; a ${what} is at most ${MAX_BYTES}.`, `Point ${names.file} at the file that holds only the ${what}.`);
      raw = await readFile(input.file, 'utf8');
    } catch (e) {
      if (e instanceof UsageError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable' : `cannot be read (${code ?? 'error'})`;
      throw new UsageError(`${names.file} ${input.file} ${why}.`, `Check the path; it is read by the jwt-triage process, relative to ${process.cwd()}.`);
    }
  } else if (input.env !== undefined) {
    source = `env:${input.env}`;
    const v = env[input.env];
    if (v === undefined) {
      throw new UsageError(
        `Environment variable ${input.env} is not set in the jwt-triage process.`,
        `Export it where the server or CLI starts (e.g. in the MCP client's "env" block), or use ${names.file}.`,
      );
    }
    raw = v;
  } else {
    source = 'inline';
    raw = input.inline ?? '';
  }
  const value = raw.trim().replace(/^(?:authorization:\s*)?bearer\s+/i, '').trim();
  if (value.length === 0) throw new UsageError(`The ${what} from ${source} is empty.`, `Put the ${what} in ${source.replace(/^\w+:/, '')}.`);
  return { value, source };
}

export function readToken(input: { token?: string | undefined; token_file?: string | undefined; token_env?: string | undefined }, env?: NodeJS.ProcessEnv) {
  return readSecret(
    { inline: input.token, file: input.token_file, env: input.token_env },
    'token',
    { inline: 'token', file: 'token_file', env: 'token_env' },
    env,
  );
}
