const ignore = (): void => undefined;

/**
 * Throws a `TypeError` naming the option unless `value` is a finite number of at least `min`
 * (and an integer when `integer` is set). Returns the value.
 */
export function checkNumber(name: string, value: number, min: number, integer?: boolean): number {
  if (typeof value !== 'number' || !(value >= min) || value === Infinity || (integer && !Number.isInteger(value))) {
    throw new TypeError(`${name} must be ${integer ? 'an integer' : 'a finite number'} >= ${min}, got ${String(value)}`);
  }
  return value;
}

/** Throws a `TypeError` naming the option unless `value` is a function (or, when `optional`, `undefined`). */
export function checkFunction(name: string, value: unknown, optional?: boolean): void {
  if (typeof value !== 'function' && !(optional && value === undefined)) {
    throw new TypeError(`${name} must be a function, got ${typeof value}`);
  }
}

/**
 * The defaults with every field the user gave (and did not leave `undefined`) laid over them:
 * how every package completes a partial config.
 */
export function withDefaults<O extends object>(defaults: Readonly<O>, config: { [K in keyof O]?: O[K] | undefined } | undefined): O {
  const options = { ...defaults } as O;
  for (const key in config) {
    const value = config[key];
    if (value !== undefined && Object.hasOwn(config, key)) (options as Record<string, unknown>)[key] = value;
  }
  return options;
}

/**
 * Marks a promise handled and returns it: the caller still sees its rejection, but one left
 * unawaited does not crash the process, since every failure is also reported as an `error` event.
 */
export function handled<P extends Promise<unknown>>(promise: P): P {
  promise.catch(ignore);
  return promise;
}
