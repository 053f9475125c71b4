// Starts the example: the built app and the chat WebSocket on 127.0.0.1.
import { fileURLToPath } from 'node:url';
import { createChatServer } from './chat-server.js';

/** The port when `PORT` is not set. */
const DEFAULT_PORT = 8787;

const port = Number(process.env.PORT ?? DEFAULT_PORT);
const staticDir = fileURLToPath(new URL('../dist/', import.meta.url));
const server = await createChatServer({ port, staticDir });
console.log(`Chat running at ${server.url} (open it in two tabs). Ctrl+C stops it.`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void server.close().then(() => process.exit(0));
  });
}
