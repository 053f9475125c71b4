// Starts the example: the built app and the chat WebSocket on 127.0.0.1. Alone by default; a
// node of a cluster when REDIS_URL is set (see the README's "Cluster").
//
// Environment:
//   PORT             the port (default 8787; 0 picks a free one)
//   REDIS_URL        redis://host:port: rooms, logs and presence in that Redis (default: none, in memory)
//   CHAT_NODES       comma-separated base URLs of every node (http://127.0.0.1:8787/,...), this one included:
//                    told to clients to move to another node, and their origins allowed
//   CHAT_NODE_ID     this node's id in Redis (default: random)
//   CHAT_NODE_TTL    ms a node counts as alive after its last heartbeat (default 10000)
//   CHAT_RATE_LIMIT  frames a second per connection and burst, as "10,20" (the default)
//   CHAT_STATIC_DIR  the built app to serve (default: ../dist beside this file)
import { fileURLToPath } from 'node:url';
import { createChatServer, type ChatServerOptions } from './chat-server.js';

/** The port when `PORT` is not set. */
const DEFAULT_PORT = 8787;

/** Reads a non-negative integer from the environment; a bad value stops the program with a clear message. */
function integer(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) {
    console.error(`${name}=${raw} is not a whole number of 0 or more.`);
    process.exit(2);
  }
  return value;
}

const port = integer('PORT', DEFAULT_PORT);
const options: ChatServerOptions = { port, staticDir: process.env.CHAT_STATIC_DIR ?? fileURLToPath(new URL('../dist/', import.meta.url)) };
if (process.env.REDIS_URL) {
  options.redis = {
    url: process.env.REDIS_URL,
    nodeTtl: integer('CHAT_NODE_TTL', 10_000),
    ...(process.env.CHAT_NODE_ID ? { nodeId: process.env.CHAT_NODE_ID } : {}),
  };
}
if (process.env.CHAT_NODES) options.nodes = process.env.CHAT_NODES.split(',').map((url) => url.trim()).filter(Boolean);
if (process.env.CHAT_RATE_LIMIT) {
  const [perSecond, burst] = process.env.CHAT_RATE_LIMIT.split(',').map(Number);
  if (!(perSecond! > 0 && burst! >= 1)) {
    console.error(`CHAT_RATE_LIMIT=${process.env.CHAT_RATE_LIMIT}: expected "perSecond,burst", both above 0 (e.g. 10,20).`);
    process.exit(2);
  }
  options.rateLimit = { perSecond: perSecond!, burst: burst! };
}

let server;
try {
  server = await createChatServer(options);
} catch (error) {
  console.error(`The chat server could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
const running = server;
console.log(
  options.redis
    ? `Chat node running at ${running.url} (Redis ${options.redis.url}). Ctrl+C stops it.`
    : `Chat running at ${running.url} (open it in two tabs). Ctrl+C stops it.`,
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void running.close().then(() => process.exit(0));
  });
}
