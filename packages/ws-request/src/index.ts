export type { RequestConfig, RequestOptions } from './config.js';
export type { ReplyOf, RequestMessage, RequestWebSocket } from './request-websocket.js';

export { createRequestWebSocket } from './request-websocket.js';
export { DEFAULT_REQUEST } from './config.js';
