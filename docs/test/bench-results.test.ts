// The comparison page reads its figures from bench/RESULTS.md at build time: the parser finds
// them in the real file, and refuses a file that lacks them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleSizes, IMPLEMENTATIONS, parseSections, runInfo, summarize } from '../src/lib/bench-results.js';

const results = readFileSync(join(import.meta.dirname, '../../bench/RESULTS.md'), 'utf8');

describe('bench/RESULTS.md', () => {
  it('gives the headline figures of every implementation', () => {
    const summary = summarize(results);
    expect(summary.map((row) => row.implementation)).toEqual([...IMPLEMENTATIONS]);
    for (const row of summary) {
      // Every figure is a number as written in the file (e.g. 0.93, 8,186, 3.02).
      for (const figure of [row.throughput, row.latency, row.heap, row.reconnect]) expect(figure).toMatch(/^\d[\d,]*(\.\d+)?$/);
    }
    expect(summary[0]).toMatchObject({ implementation: 'raw ws', throughput: '1.00', latency: '1.00' });
  });

  it('gives every bundle size, peers included', () => {
    const sizes = bundleSizes(results);
    expect(sizes.map((size) => size.bundle)).toEqual(expect.arrayContaining(['ws-core', 'reconnecting-websocket', 'phoenix (whole client)']));
    for (const size of sizes) expect(size.gzip).toMatch(/^[\d,]+ B/);
  });

  it('gives the machine and the versions of the run', () => {
    expect(runInfo(results)).toMatchObject({ Node: expect.stringMatching(/^v\d+/), versions: expect.stringContaining('partysocket') });
  });
});

describe('the parser', () => {
  const file = [
    '# Results',
    '',
    '## 1. Echo throughput',
    '',
    '| implementation | messages/s | ratio to raw ws |',
    '| --- | ---: | ---: |',
    '| raw ws | 100 (90–110) | 1.00 (1.00–1.00) |',
    '| ws-core | 95 (90–99) | 0.95 (0.90–0.99) |',
    '',
    '## 2. Latency',
    '',
    'No table here.',
  ].join('\n');

  it('reads sections and tables', () => {
    const sections = parseSections(file);
    expect(sections.map((section) => section.title)).toEqual(['1. Echo throughput', '2. Latency']);
    expect(sections[0]!.tables[0]).toEqual({
      header: ['implementation', 'messages/s', 'ratio to raw ws'],
      rows: [
        ['raw ws', '100 (90–110)', '1.00 (1.00–1.00)'],
        ['ws-core', '95 (90–99)', '0.95 (0.90–0.99)'],
      ],
    });
  });

  it('fails naming the missing figure', () => {
    expect(() => summarize(file)).toThrow(/"2\. Latency": no .*p50 ratio.* for "raw ws"|no section matching/);
  });
});
