#!/usr/bin/env node
// Launcher: Sluice is TypeScript run by Node 24's type stripping; an older system Node hands over to the
// Node 24 that the package pins (the `node` devDependency), so `npx sluice` works on either.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
const entry = join(dirname(fileURLToPath(import.meta.url)), 'sluice.ts');
if (major >= 24) {
  await import(entry);
} else {
  let node;
  try {
    node = join(dirname(createRequire(import.meta.url).resolve('node/package.json')), 'bin', 'node');
  } catch {
    process.stderr.write(`sluice needs Node.js >= 24 (this is ${process.version}); install Node 24 or run it through "npm run sluice".\n`);
    process.exit(2);
  }
  const result = spawnSync(node, [entry, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
