export type { MessageQueue, QueuedWebSocket } from './queued-websocket.js';
export { createQueuedWebSocket } from './queued-websocket.js';
export { DEFAULT_QUEUE } from './defaults.js';
