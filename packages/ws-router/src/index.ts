export type { ChannelRouter } from './channel-router.js';
export type { ChannelWebSocket } from './channel-websocket.js';
export type { ChannelExtractor, ChannelGap, ChannelKey, ChannelMessage, ChannelOf, ChannelWebSocketConfig, RouterConfig } from './config.js';

export { createChannelRouter } from './channel-router.js';
export { createChannelWebSocket } from './channel-websocket.js';
