/** `typeof Symbol.dispose` where the TypeScript lib declares it (`esnext.disposable`), else `never`. */
type DisposeKey = SymbolConstructor extends { readonly dispose: infer K extends symbol } ? K : never;

/**
 * The `[Symbol.dispose]()` method of an object that `using` can release. Written so that the
 * toolkit's types compile with or without the `esnext.disposable` lib: without it, this is `{}`.
 */
export type SymbolDisposable = Readonly<Record<DisposeKey, () => void>>;
