export type { MessageQueue, QueuedWebSocket } from './queued-websocket.js';
export type { BoundedQueue } from './message-queue.js';
export type { AckOptions, DropReason, DropStrategy, QueueConfig } from './config.js';
export { createQueuedWebSocket } from './queued-websocket.js';
export { createMessageQueue } from './message-queue.js';
export { DEFAULT_QUEUE } from './defaults.js';
