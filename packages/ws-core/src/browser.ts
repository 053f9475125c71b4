export type { BrowserGlobals } from './browser-environment.js';
export type { BrowserEnvironment, LifecycleListener } from './environment.js';
export { browserEnvironment } from './browser-environment.js';
