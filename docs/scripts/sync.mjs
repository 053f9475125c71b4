// Pages generated from the repository's own text before every build (and `pnpm docs`), so the
// site never holds a second copy: MIGRATION.md becomes the migration page, RELIABILITY.md the
// reliability page. Links to files of the repository become plain text (the site does not
// serve them). The generated files are ignored by git.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const docs = resolve(import.meta.dirname, '..');
const repo = resolve(docs, '..');

/** Writes `page` (relative to src/content/docs) from the repository's `file`. */
function generate(file, page, description) {
  const text = readFileSync(resolve(repo, file), 'utf8');
  const heading = /^# (.+)\n/.exec(text);
  if (!heading) throw new Error(`${file}: expected a "# " title on its first line`);
  const content = text
    .slice(heading[0].length)
    .trimStart()
    // [`tests/reliability`](tests/reliability) → `tests/reliability`; links within the page stay.
    .replace(/\[([^\]]+)\]\((?!#|https?:)[^)]*\)/g, '$1');
  const page_ = [
    '---',
    `title: ${JSON.stringify(heading[1].replaceAll('`', ''))}`,
    `description: ${JSON.stringify(description)}`,
    '---',
    '',
    `<!-- Generated from ${file} by docs/scripts/sync.mjs: edit that file, not this one. -->`,
    '',
    content,
  ].join('\n');
  writeFileSync(resolve(docs, 'src/content/docs', page), page_);
}

generate('MIGRATION.md', 'migration.md', 'Where each export of the core websocket module went, and what behaves differently.');
generate('RELIABILITY.md', 'reliability.md', 'What the toolkit guarantees when the network, the server or the application misbehaves, and the tests that hold it to that.');
