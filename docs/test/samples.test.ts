// Every code sample on the site compiles against the packages (see samples.ts for the rules).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allSamples, checkSamples, describeSample, docsRoot, extractSamples, runTestSamples, testRunner, type SampleFiles } from './samples.js';

const workspace = join(docsRoot, 'test/.samples');

describe('code samples', () => {
  const samples = allSamples();

  it('finds the samples of the site', () => {
    expect(samples.length).toBeGreaterThan(50);
    expect(new Set(samples.map((sample) => sample.page)).size).toBeGreaterThan(10);
    // The packages' READMEs too: each shows at least one example.
    const readmes = new Set(samples.filter((sample) => sample.origin === 'repository').map((sample) => sample.page));
    expect(readmes.size).toBeGreaterThanOrEqual(8);
  });

  const files: SampleFiles = new Map();

  it('every ts, js and svelte block compiles against the packages', () => {
    const problems = checkSamples(samples, join(workspace, 'site'), files);
    const report = problems.map(({ sample, message }) => `${describeSample(sample)}: ${message}`);
    expect(report.join('\n'), 'samples that do not compile').toBe('');
  });

  it('the samples that are tests pass, with Vitest and with node --test', () => {
    expect(files.size, 'the compile step writes the files').toBeGreaterThan(0);
    const tests = [...files.values()].filter((sample) => testRunner(sample) !== undefined);
    expect(tests.filter((sample) => testRunner(sample) === 'node').length).toBeGreaterThanOrEqual(2);
    const results = runTestSamples(files, join(workspace, 'site'));
    expect(results.map((result) => result.runner).sort()).toEqual(['node', 'vitest']);
    for (const result of results) expect(result.ok, `${result.runner} failed:\n${result.output}`).toBe(true);
  });

  it('skips fragments only with a reason, and few of them', () => {
    const fragments = samples.filter((sample) => sample.fragment !== undefined);
    for (const fragment of fragments) expect(fragment.fragment!.length, describeSample(fragment)).toBeGreaterThan(10);
    expect(fragments.length).toBeLessThanOrEqual(Math.ceil(samples.length / 10));
  });
});

describe('the check itself', () => {
  const page = [
    '# A page',
    '',
    '```ts',
    "import { createLiveWebSocket } from '@composable-svelte/ws-core';",
    'const client = createLiveWebSocket();',
    '```',
    '',
    '```ts title="src/shared.ts"',
    'export const url = 42;',
    '```',
    '',
    '```typescript',
    '// ---cut---',
    "import { createLiveWebSocket } from '@composable-svelte/ws-core';",
    "import { url } from './shared.js';",
    'await createLiveWebSocket().connect(url);',
    '```',
    '',
    '```svelte',
    '<script lang="ts">',
    '  const count: number = "one";',
    '</script>',
    '{#if count}x',
    '```',
    '',
    '```ts fragment="shows only the shape of an option"',
    'reconnect: { maxAttempts: 0 }',
    '```',
  ].join('\n');

  it('names the page, the block and the line of each error', () => {
    const samples = extractSamples('example.md', page);
    expect(samples.map((sample) => [sample.index, sample.line, sample.lang, sample.file ?? null, sample.fragment ?? null])).toEqual([
      [1, 3, 'ts', null, null],
      [2, 8, 'ts', 'src/shared.ts', null],
      [3, 12, 'ts', null, null],
      [4, 19, 'svelte', null, null],
      [5, 26, 'ts', null, 'shows only the shape of an option'],
    ]);
    const problems = checkSamples(samples, join(workspace, 'self-test')).map(
      ({ sample, message }) => `${describeSample(sample)}: ${message}`,
    );
    expect(problems).toHaveLength(3);
    // A string URL is not a number: the imported file's type reaches the block that uses it.
    expect(problems).toContainEqual(expect.stringMatching(/^docs: example\.md, block 3 \(line 12\): line 4 of the block: TS2345 .*number/));
    // The script of a component is type-checked, its template parsed.
    expect(problems).toContainEqual(expect.stringMatching(/^docs: example\.md, block 4 \(line 19\): line 2 of the block: TS2322/));
    expect(problems).toContainEqual(expect.stringMatching(/^docs: example\.md, block 4 \(line 19\): Svelte: .*/));
  });

  it('refuses a fragment without a reason', () => {
    expect(() => extractSamples('bad.md', '```ts fragment=""\nx\n```')).toThrow(/bad\.md:1: fragment="" needs a reason/);
  });
});
