// A TypeDoc plugin for the API reference:
// - names each module after the package entry it documents (`@composable-svelte/ws-core/browser`)
//   instead of its path in the repository (`ws-core/src/browser`);
// - makes links to module pages point at the page Starlight serves (`…/ws-core/`, not
//   `…/ws-core/index/`): module pages are written as index.md (see astro.config.mjs).
import { Converter, PageEvent, ReflectionKind } from 'typedoc';
import { apiEntryPoints } from './api-entry-points.mjs';

const names = new Map(apiEntryPoints.map((entry) => [entry.file.replaceAll('\\', '/'), entry.name]));

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    if (!reflection.kindOf(ReflectionKind.Module)) return;
    const file = context.getSymbolFromReflection(reflection)?.declarations?.[0]?.getSourceFile().fileName;
    const name = file === undefined ? undefined : names.get(file.replaceAll('\\', '/'));
    if (name === undefined) throw new Error(`API reference: no package entry for module "${reflection.name}" (${file ?? 'no source file'})`);
    reflection.name = name;
  });
  app.renderer.on(PageEvent.END, (page) => {
    if (typeof page.contents === 'string') page.contents = page.contents.replaceAll(/(\]\(\/api\/[^)\s]*?\/)index\/(#[^)\s]*)?\)/g, '$1$2)');
  });
}
