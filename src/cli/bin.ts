#!/usr/bin/env node
/**
 * The `jwt-triage` bin, bundled by scripts/bundle.mjs into dist/cli.js (a few kilobytes): it answers
 * `--help` and `--version` from text rendered at build time (the same `main` renders it, from the
 * tool records), and imports the CLI (src/cli.ts: records, checks, zod, jose) for everything
 * else; the MCP server and SDK are a further chunk that only `serve` loads.
 */
import module from 'node:module';

/** Set by scripts/bundle.mjs (esbuild `define`); undefined when this file runs unbundled. */
declare const __JWT_TRIAGE_HELP__: string | undefined;
declare const __JWT_TRIAGE_VERSION__: string | undefined;

// Node ≥ 22.1 caches compiled code between runs (the bundle's chunks, the AWS SDK); absent on Node 20.
try {
  (module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
} catch {
  /* a read-only cache directory: run without it */
}

const argv = process.argv.slice(2);
const help = typeof __JWT_TRIAGE_HELP__ === 'string' ? __JWT_TRIAGE_HELP__ : undefined;
const version = typeof __JWT_TRIAGE_VERSION__ === 'string' ? __JWT_TRIAGE_VERSION__ : undefined;
const only = argv.length === 1 ? argv[0] : undefined;
if (help !== undefined && (only === '--help' || only === '-h' || only === 'help')) {
  process.stdout.write(help + '\n');
} else if (version !== undefined && (only === '--version' || only === 'version')) {
  process.stdout.write(version + '\n');
} else {
  const { runProcess } = await import('../cli.js');
  runProcess(argv);
}
