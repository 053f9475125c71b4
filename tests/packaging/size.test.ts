/**
 * The size gate: every budget in .size-limit.json holds (min+gzip), and every code entry of
 * every published package has a budget. Needs the packages built.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

interface Budget {
  name: string;
  path: string;
  limit: string;
  gzip?: boolean;
}
interface Result {
  name: string;
  passed: boolean;
  size: number;
  sizeLimit: number;
}

const budgets = JSON.parse(readFileSync(join(root, '.size-limit.json'), 'utf8')) as Budget[];

it('has a gzip budget for every entry of every published package', () => {
  for (const dir of readdirSync(join(root, 'packages'))) {
    const manifest = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as {
      name: string;
      private?: boolean;
      exports: Record<string, unknown>;
    };
    if (manifest.private === true) continue;
    for (const key of Object.keys(manifest.exports)) {
      if (key === './package.json') continue;
      const name = key === '.' ? manifest.name : `${manifest.name}/${key.slice(2)}`;
      const budget = budgets.find((b) => b.name === name);
      expect(budget, `no size budget for ${name}`).toBeDefined();
      expect(budget?.gzip, `${name} must be measured min+gzip`).toBe(true);
    }
  }
});

it('keeps every package within its budget', async () => {
  const { stdout } = await promisify(execFile)(join(root, 'node_modules/.bin/size-limit'), ['--json'], { cwd: root }).catch(
    (error: { stdout: string }) => ({ stdout: error.stdout }),
  );
  const results = JSON.parse(stdout) as Result[];
  expect(results.map((r) => r.name).sort()).toEqual(budgets.map((b) => b.name).sort());
  for (const result of results) {
    expect(result.size, `${result.name}: ${result.size} B over its ${result.sizeLimit} B budget`).toBeLessThanOrEqual(result.sizeLimit);
  }
});
