/**
 * Second build step (after tsc): dist/cli.js becomes one bundled file, so start-up reads one
 * file instead of ~330 (`--help` and the offline token tools pay for no module resolution).
 *
 * - inlined: the project, zod, jose and the MCP SDK (all MIT; their licence notices are kept
 *   by esbuild's `legalComments: 'eof'`);
 * - left in node_modules, loaded on first use: undici (the first fetch) and every
 *   @aws-sdk/* package (the first AWS call, src/sources/aws/client.ts);
 * - the MCP server code is inlined but evaluated only when `serve` runs (dynamic import);
 * - no source map in the start-up path (tsc's per-module maps stay beside the unbundled files).
 */
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/cli.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['undici', '@aws-sdk/*', '@smithy/*'],
  // Bundled CommonJS dependencies call require() for Node built-ins; ESM has none.
  banner: { js: "import { createRequire as __jwtTriageRequire } from 'node:module';\nconst require = __jwtTriageRequire(import.meta.url);" },
  legalComments: 'eof',
  minifySyntax: true,
  minifyWhitespace: true,
  sourcemap: false,
  logLevel: 'warning',
});
