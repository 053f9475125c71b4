// Extraction and compilation of the site's code samples: every ```ts, ```typescript, ```svelte
// and ```js block of every page is written to a file and compiled with TypeScript against the
// workspace packages (their sources, through the `@composable-svelte/source` condition).
//
// Conventions a block may use (see src/lib/remark-hidden-lines.mjs for the rendering side):
// - lines above `// ---cut---` and below `// ---cut-after---` are compiled but not shown;
// - `title="src/lib/effect.ts"` (a file path) names the block's file: the page's blocks share
//   one folder, so the others can import it as `./effect.js`;
// - `fragment="why"` skips the block; the reason is required.
// A .svelte block is checked twice: its `<script lang="ts">` is compiled like a .ts block, and
// the whole component goes through Svelte's compiler (template syntax).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, realpathSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { compile } from 'svelte/compiler';
import ts from 'typescript';

export const docsRoot = resolve(import.meta.dirname, '..');
export const pagesRoot = join(docsRoot, 'src/content/docs');
const repoRoot = resolve(docsRoot, '..');

/** The languages checked, and the extension each is compiled as. */
const LANGUAGES: Record<string, 'ts' | 'js' | 'svelte'> = { ts: 'ts', typescript: 'ts', js: 'js', javascript: 'js', svelte: 'svelte' };

export interface Sample {
  /** The page, relative to src/content/docs (`packages/ws-core.md`), or to the repository for a README. */
  page: string;
  /** Where the page is: a page of the site, or a package README in the repository. */
  origin: 'site' | 'repository';
  /** 1-based index among the page's checked blocks. */
  index: number;
  /** 1-based line of the opening fence in the page. */
  line: number;
  lang: 'ts' | 'js' | 'svelte';
  code: string;
  /** `title="..."`, when it is a relative file path. */
  file: string | undefined;
  /** `fragment="..."`: the reason it is not compiled. */
  fragment: string | undefined;
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)(.*)$/;

function metaValue(meta: string, key: string): string | undefined {
  const match = new RegExp(`\\b${key}=(?:"([^"]*)"|'([^']*)')`).exec(meta);
  return match ? (match[1] ?? match[2]) : undefined;
}

/** The checked code blocks of one page's source. */
export function extractSamples(page: string, source: string, origin: Sample['origin'] = 'site'): Sample[] {
  const lines = source.split('\n');
  const samples: Sample[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const [, indent = '', fence = '', rawLang = '', meta = ''] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const line = lines[j]!;
      if (line.trim().startsWith(fence[0]!.repeat(fence.length)) && line.trim().replace(/[`~]/g, '') === '') break;
      body.push(line.startsWith(indent) ? line.slice(indent.length) : line.trimStart());
    }
    const lang = LANGUAGES[rawLang.toLowerCase()];
    if (lang) {
      const title = metaValue(meta, 'title');
      const fragment = metaValue(meta, 'fragment');
      if (fragment?.trim() === '') throw new Error(`${page}:${i + 1}: fragment="" needs a reason`);
      samples.push({
        page,
        origin,
        index: samples.length + 1,
        line: i + 1,
        lang,
        code: body.join('\n'),
        file: title !== undefined && /^[\w./+-]+\.(ts|js|svelte)$/.test(title) && !title.startsWith('/') ? title : undefined,
        fragment,
      });
    }
    i = j;
  }
  return samples;
}

/** Every page of the site that is written by hand or generated from the repository's text (not the API reference). */
export function listPages(dir = pagesRoot): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.mdx?$/.test(entry.name))
    .map((entry) => relative(pagesRoot, join(entry.parentPath, entry.name)))
    .filter((page) => !page.startsWith('api/') && !page.startsWith(`api\\`))
    .sort();
}

/** The packages' READMEs (short pages that point to the site): their samples are checked too. */
export function listReadmes(): string[] {
  return readdirSync(join(repoRoot, 'packages'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => `packages/${entry.name}/README.md`)
    .filter((page) => existsSync(join(repoRoot, page)))
    .sort();
}

export function allSamples(): Sample[] {
  return [
    ...listPages().flatMap((page) => extractSamples(page, readFileSync(join(pagesRoot, page), 'utf8'))),
    ...listReadmes().flatMap((page) => extractSamples(page, readFileSync(join(repoRoot, page), 'utf8'), 'repository')),
  ];
}

/** "packages/ws-core.md, block 3 (line 42)". */
export const describeSample = (sample: Sample): string =>
  `${sample.origin === 'repository' ? '' : 'docs: '}${sample.page}, block ${sample.index} (line ${sample.line})`;

export interface SampleProblem {
  sample: Sample;
  message: string;
}

/** Where each compiled sample was written. */
export type SampleFiles = Map<string, Sample>;

/** The script of a Svelte component, compiled as TypeScript. */
function svelteScript(code: string): string {
  const scripts = [...code.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  return scripts.map((match) => match[2]).join('\n');
}

const compilerOptions = (): ts.CompilerOptions => ({
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  moduleDetection: ts.ModuleDetectionKind.Force,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.esnext.disposable.d.ts'],
  customConditions: ['@composable-svelte/source'],
  // As strict as the packages, except indexed access: samples write `list[0].field` as most
  // projects' settings allow.
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: false,
  noImplicitOverride: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  skipLibCheck: true,
  allowJs: true,
  checkJs: true,
  noEmit: true,
  types: ['node'],
  typeRoots: [join(repoRoot, 'node_modules/@types')],
});

/**
 * Writes `samples` under `dir` (one folder per page) and compiles them all in one program.
 * Returns every problem, each naming its sample.
 */
export function checkSamples(samples: readonly Sample[], dir: string, files: SampleFiles = new Map()): SampleProblem[] {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  linkPeers(dir);
  const problems: SampleProblem[] = [];
  for (const sample of samples) {
    if (sample.fragment !== undefined) continue;
    const folder = join(dir, sample.origin, sample.page.replace(/\.mdx?$/, '').replace(/[^\w/-]/g, '_'));
    const name = sample.file === undefined ? `block-${sample.index}.${sample.lang}` : basename(sample.file);
    let path = join(folder, name);
    let code = sample.code;
    if (sample.lang === 'svelte') {
      try {
        compile(sample.code, { filename: name, generate: 'client' });
      } catch (error) {
        problems.push({ sample, message: `Svelte: ${(error as Error).message}` });
      }
      path = `${path}.ts`;
      code = svelteScript(sample.code);
    }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, code);
    files.set(resolve(path), sample);
  }
  const program = ts.createProgram([...files.keys()], compilerOptions());
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const fileName = diagnostic.file ? resolve(diagnostic.file.fileName) : undefined;
    const sample = fileName === undefined ? undefined : files.get(fileName);
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    if (!sample) {
      // A problem outside the samples (a package's own source, a missing library) concerns them all.
      problems.push({ sample: samples[0]!, message: `outside the samples (${diagnostic.file?.fileName ?? 'global'}): ${text}` });
      continue;
    }
    const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    problems.push({ sample, message: `line ${line + 1} of the block: TS${diagnostic.code} ${text}` });
  }
  return problems;
}

/**
 * Packages the samples import that the docs package does not depend on: the core's store
 * (`@composable-svelte/core`, a peer of ws-effects), linked from ws-effects' own dev dependency
 * into the samples' node_modules.
 */
function linkPeers(dir: string): void {
  const core = realpathSync(join(repoRoot, 'packages/ws-effects/node_modules/@composable-svelte/core'));
  mkdirSync(join(dir, 'node_modules/@composable-svelte'), { recursive: true });
  symlinkSync(core, join(dir, 'node_modules/@composable-svelte/core'), 'dir');
}

/** A sample that is a test of its own: it declares tests with Vitest's or node:test's `it`/`test`. */
export function testRunner(sample: Sample): 'vitest' | 'node' | undefined {
  if (!/^\s*(it|test)\(/m.test(sample.code)) return undefined;
  if (sample.code.includes('from \'vitest\'')) return 'vitest';
  if (sample.code.includes('from \'node:test\'')) return 'node';
  return undefined;
}

export interface RunResult {
  runner: 'vitest' | 'node';
  ok: boolean;
  output: string;
}

/**
 * Runs the samples that are tests, from the files `checkSamples` wrote: Vitest samples with
 * Vitest (the packages' sources through the source condition), node:test samples with
 * `node --test` (the packages' built `dist`, as a user's project would load them).
 */
export function runTestSamples(files: SampleFiles, dir: string): RunResult[] {
  const vitestFiles: string[] = [];
  const nodeFiles: string[] = [];
  for (const [path, sample] of files) {
    const runner = testRunner(sample);
    // The core's root entry imports .svelte files: its samples need the Svelte plugin, and
    // ws-effects' own tests run that example.
    if (runner === 'vitest' && !sample.code.includes("'@composable-svelte/core")) vitestFiles.push(path);
    if (runner === 'node') {
      const copy = path.replace(/\.js$/, '.mjs');
      writeFileSync(copy, readFileSync(path));
      nodeFiles.push(copy);
    }
  }
  const results: RunResult[] = [];
  if (vitestFiles.length > 0) {
    const config = join(dir, 'vitest.samples.config.mjs');
    writeFileSync(
      config,
      [
        "import { defineConfig } from 'vitest/config';",
        'export default defineConfig({',
        "  resolve: { conditions: ['@composable-svelte/source', 'module', 'browser', 'development|production'] },",
        "  ssr: { resolve: { conditions: ['@composable-svelte/source', 'module', 'node', 'development|production'] } },",
        `  test: { root: ${JSON.stringify(dir)}, include: ${JSON.stringify(vitestFiles.map((file) => relative(dir, file)))}, testTimeout: 20000, reporters: ['default'] },`,
        '});',
      ].join('\n'),
    );
    const run = spawnSync(process.execPath, [join(repoRoot, 'node_modules/vitest/vitest.mjs'), 'run', '--config', config], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, CI: '', VITEST_REPORT: '', FORCE_COLOR: '0', NO_COLOR: '1' },
    });
    results.push({ runner: 'vitest', ok: run.status === 0, output: `${run.stdout}\n${run.stderr}` });
  }
  if (nodeFiles.length > 0) {
    const run = spawnSync(process.execPath, ['--test', '--test-timeout=20000', ...nodeFiles], { cwd: dir, encoding: 'utf8' });
    results.push({ runner: 'node', ok: run.status === 0, output: `${run.stdout}\n${run.stderr}` });
  }
  return results;
}
