// The benchmark servers, run in a child process (see servers.js) so that the client's event
// loop is the only thing the measuring process runs. Three `ws` servers on 127.0.0.1, port 0:
//
// - echo: sends every frame back as it came (text stays text), for throughput and latency;
// - broadcast: on an IPC request, sends N messages to every connected client (fan-in);
// - drop: terminates the connection (no close frame, as a network drop) when a client sends a
//   frame containing "drop", and keeps accepting: the reconnect scenario.
//
// Requests come over the IPC channel as { id, cmd, ...args } and are answered { id, ...result }.
import * as wsModule from 'ws';
import { WebSocketServer, WebSocket } from 'ws';

// `ws` exports its frame encoder, which @types/ws does not declare.
/** @type {{ frame(data: Buffer, options: object): Buffer[] }} */
const Sender = /** @type {any} */ (wsModule).Sender;

/** @typedef {import('node:net').Socket} NetSocket */

/** @param {string} name */
function listen(name) {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, clientTracking: true });
  return new Promise((resolve, reject) => {
    server.once('listening', () => resolve(server));
    server.once('error', (error) => reject(new Error(`${name} server: ${error.message}`)));
  });
}

/** @type {WebSocketServer} */
const echo = await listen('echo');
/** @type {WebSocketServer} */
const broadcast = await listen('broadcast');
/** @type {WebSocketServer} */
const drop = await listen('drop');

echo.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => {
    socket.send(data, { binary: isBinary });
  });
});

/** The TCP socket of each broadcast client, to write pre-framed messages once per client. */
const rawSockets = new Map(/** @type {[WebSocket, NetSocket][]} */ ([]));
broadcast.on('connection', (socket, request) => {
  rawSockets.set(socket, request.socket);
  socket.on('close', () => rawSockets.delete(socket));
  // Clients never send here; anything that comes is ignored.
});

let drops = 0;
drop.on('connection', (socket) => {
  socket.on('message', (data) => {
    if (String(data).includes('drop')) {
      drops++;
      socket.terminate();
    }
  });
});

/**
 * The frames of `count` text messages of about `size` bytes each, as one buffer: the messages
 * are framed once (server frames are not masked) and written to every client in one write, so
 * the server spends next to nothing per client and the clients' receiving is what is timed.
 *
 * @param {number} count
 * @param {number} size
 */
function framedMessages(count, size) {
  /** @type {Buffer[]} */
  const parts = [];
  for (let n = 0; n < count; n++) {
    const head = JSON.stringify({ channel: 'news', type: 'broadcast', n, text: '' });
    const text = JSON.stringify({ channel: 'news', type: 'broadcast', n, text: 'x'.repeat(Math.max(0, size - head.length)) });
    const frame = Sender.frame(Buffer.from(text), { fin: true, opcode: 1, mask: false, readOnly: false, rsv1: false });
    parts.push(...frame);
  }
  return Buffer.concat(parts);
}

const commands = {
  ports: () => ({
    echo: /** @type {import('node:net').AddressInfo} */ (echo.address()).port,
    broadcast: /** @type {import('node:net').AddressInfo} */ (broadcast.address()).port,
    drop: /** @type {import('node:net').AddressInfo} */ (drop.address()).port,
  }),
  /** @param {{ count: number, size: number }} args */
  broadcast({ count, size }) {
    const frames = framedMessages(count, size);
    let clients = 0;
    for (const [socket, raw] of rawSockets) {
      if (socket.readyState !== WebSocket.OPEN) continue;
      raw.write(frames);
      clients++;
    }
    return { clients };
  },
  clients: () => ({ echo: echo.clients.size, broadcast: broadcast.clients.size, drop: drop.clients.size, drops }),
  cpu: () => process.cpuUsage(),
  close() {
    for (const server of [echo, broadcast, drop]) {
      for (const client of server.clients) client.terminate();
      server.close();
    }
    setImmediate(() => process.exit(0));
    return {};
  },
};

process.on('message', (/** @type {{ id: number, cmd: keyof typeof commands }} */ request) => {
  const { id, cmd } = request;
  try {
    const result = commands[cmd](/** @type {any} */ (request));
    process.send?.({ id, ...result });
  } catch (error) {
    process.send?.({ id, error: String(error) });
  }
});

// The parent went away (crashed or was killed): do not linger.
process.on('disconnect', () => process.exit(0));
process.send?.({ id: 0, ready: true });
