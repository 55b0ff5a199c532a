#!/usr/bin/env node
// Regenerates the generated parts of README.md from the code (run after `npm run build`):
//   the finding-code table  (<!-- codes:start --> … <!-- codes:end -->)
//   the tools table          (<!-- tools:start --> … <!-- tools:end -->)
//   the minimal IAM policy   (<!-- iam:start --> … <!-- iam:end -->)
// `node scripts/docs.mjs --check` exits 1 when README.md is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { generatedSections } from '../dist/docs.js';

const path = new URL('../README.md', import.meta.url);
const before = readFileSync(path, 'utf8');
let after = before;
for (const [name, body] of Object.entries(generatedSections())) {
  const re = new RegExp(`(<!-- ${name}:start -->\\n)[\\s\\S]*?(<!-- ${name}:end -->)`);
  if (!re.test(after)) {
    console.error(`README.md has no <!-- ${name}:start --> … <!-- ${name}:end --> markers`);
    process.exit(1);
  }
  after = after.replace(re, `$1${body}\n$2`);
}
if (process.argv.includes('--check')) {
  if (after !== before) {
    console.error('README.md is out of date: run `npm run docs`.');
    process.exit(1);
  }
} else if (after !== before) {
  writeFileSync(path, after);
  console.log('README.md updated.');
}
