// Pages generated from the repository's own text before every build (and `pnpm docs`), so the
// site never holds a second copy: MIGRATION.md becomes the "Migrating from core 0.5.2" page.
// The generated files are ignored by git.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const docs = resolve(import.meta.dirname, '..');
const repo = resolve(docs, '..');

const migration = readFileSync(resolve(repo, 'MIGRATION.md'), 'utf8');
const heading = /^# (.+)\n/.exec(migration);
if (!heading) throw new Error('MIGRATION.md: expected a "# " title on its first line');
const page = [
  '---',
  `title: ${JSON.stringify(heading[1].replaceAll('`', ''))}`,
  'description: Where each export of the core websocket module went, and what behaves differently.',
  '---',
  '',
  '<!-- Generated from MIGRATION.md by docs/scripts/sync.mjs: edit that file, not this one. -->',
  '',
  migration.slice(heading[0].length).trimStart(),
].join('\n');
writeFileSync(resolve(docs, 'src/content/docs/migration.md'), page);
