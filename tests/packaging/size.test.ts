/**
 * The size gate: every budget in .size-limit.json holds (min+gzip), every code entry of every
 * published package has a budget, and the figures in each package README's "Size" section are
 * those budgets (or measured sizes, within rounding). Needs the packages built.
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

let measured: Promise<Result[]> | undefined;

/** size-limit's results, measured once for the file. */
function measure(): Promise<Result[]> {
  measured ??= promisify(execFile)(join(root, 'node_modules/.bin/size-limit'), ['--json'], { cwd: root })
    .catch((error: { stdout: string }) => ({ stdout: error.stdout }))
    .then(({ stdout }) => JSON.parse(stdout) as Result[]);
  return measured;
}

it('keeps every package within its budget', async () => {
  const results = await measure();
  expect(results.map((r) => r.name).sort()).toEqual(budgets.map((b) => b.name).sort());
  for (const result of results) {
    expect(result.size, `${result.name}: ${result.size} B over its ${result.sizeLimit} B budget`).toBeLessThanOrEqual(result.sizeLimit);
  }
});

/** A size written as `3.6 kB` or `750 B`, in bytes as size-limit counts them (1 kB = 1000 B), and how precise it is. */
interface Figure {
  text: string;
  bytes: number;
  /** Half a unit of its last digit, in bytes: `0.9 kB` is 850 B to 950 B rounded. */
  tolerance: number;
}

function figuresIn(text: string): Figure[] {
  return [...text.matchAll(/(\d+(?:\.(\d+))?)\s*(kB|B)\b/g)].map((match) => {
    const unit = match[3] === 'kB' ? 1000 : 1;
    return { text: match[0], bytes: Math.round(Number(match[1]) * unit), tolerance: (unit * 10 ** -(match[2]?.length ?? 0)) / 2 };
  });
}

it('states in each package README\'s Size section its budgets, and no figure size-limit disagrees with', async () => {
  const results = await measure();
  for (const dir of readdirSync(join(root, 'packages'))) {
    const manifest = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as { name: string; private?: boolean };
    if (manifest.private === true) continue;
    const readme = readFileSync(join(root, 'packages', dir, 'README.md'), 'utf8');
    const section = /^## Size\n([\s\S]*?)(?=^## |$(?![\s\S]))/m.exec(readme)?.[1];
    expect(section, `${manifest.name}: its README has no "## Size" section`).toBeDefined();
    const own = (name: string): boolean => name === manifest.name || name.startsWith(`${manifest.name}/`) || name.startsWith(`${manifest.name} `);
    const limits = budgets.filter((budget) => own(budget.name)).map((budget) => figuresIn(budget.limit)[0]!.bytes);
    const sizes = results.filter((result) => own(result.name)).map((result) => result.size);
    const stated = figuresIn(section!);
    for (const figure of stated) {
      const agrees = limits.includes(figure.bytes) || sizes.some((size) => Math.abs(size - figure.bytes) <= figure.tolerance);
      expect(agrees, `${manifest.name} README: "${figure.text}" is neither a budget of its entries (${limits.join(', ')} B) nor a measured size (${sizes.join(', ')} B)`).toBe(true);
    }
    for (const limit of limits) {
      expect(stated.map((figure) => figure.bytes), `${manifest.name} README: its ${limit} B budget is not stated in its Size section`).toContain(limit);
    }
  }
});
