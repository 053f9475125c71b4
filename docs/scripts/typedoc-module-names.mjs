// A TypeDoc plugin: names each module of the API reference after the package entry it documents
// (`@composable-svelte/ws-core/browser`) instead of its path in the repository (`ws-core/src/browser`).
import { Converter, ReflectionKind } from 'typedoc';
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
}
