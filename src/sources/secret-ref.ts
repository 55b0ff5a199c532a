/**
 * Reads a secret (a token, an API key) given inline, by file or by environment variable.
 * Prefer the last two: the value then never passes through the chat.
 */
import { z } from 'zod';
import { UsageError } from './errors.js';
import { FileReadError, readBoundedFile } from './file.js';

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
      raw = await readBoundedFile(input.file, MAX_BYTES);
    } catch (e) {
      if (!(e instanceof FileReadError)) throw e;
      if (e.problem === 'not_regular') throw new UsageError(`${names.file} ${e.message}`, `Point ${names.file} at the regular file that holds the ${what}.`);
      if (e.problem === 'too_large') throw new UsageError(`${names.file} ${input.file} is too large; a ${what} is at most ${MAX_BYTES} bytes.`, `Point ${names.file} at the file that holds only the ${what}.`);
      const why = e.problem === 'missing' ? 'does not exist' : e.problem === 'unreadable' ? 'is not readable' : `cannot be read (${String(e.facts.error_code ?? 'error')})`;
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
