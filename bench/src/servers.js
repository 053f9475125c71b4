// Starts server.js in a child process and talks to it over IPC.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * @typedef {object} Servers
 * @property {string} echo URL of the echo server
 * @property {string} broadcast URL of the broadcast server
 * @property {string} drop URL of the drop/accept-again server
 * @property {(cmd: string, args?: object) => Promise<any>} request one IPC request to the server process
 * @property {() => Promise<NodeJS.CpuUsage>} cpu the server process's CPU time so far
 * @property {() => Promise<void>} close stops the servers and the process
 */

/** @returns {Promise<Servers>} */
export async function startServers() {
  // The server process gets no --expose-gc or inspector flags of ours.
  const child = fork(fileURLToPath(new URL('./server.js', import.meta.url)), [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  /** @type {Map<number, { resolve: (value: any) => void, reject: (error: Error) => void }>} */
  const pending = new Map();
  let nextId = 1;
  let exited = false;

  /** @type {Promise<void>} */
  const ready = new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`server process exited early (code ${code})`)));
    child.on('message', (/** @type {any} */ message) => {
      if (message.id === 0) {
        resolve();
        return;
      }
      const waiter = pending.get(message.id);
      if (!waiter) return;
      pending.delete(message.id);
      if (message.error) waiter.reject(new Error(`server: ${message.error}`));
      else waiter.resolve(message);
    });
  });
  child.on('exit', (code) => {
    exited = true;
    for (const waiter of pending.values()) waiter.reject(new Error(`server process exited (code ${code})`));
    pending.clear();
  });
  await ready;

  /** @type {Servers['request']} */
  const request = (cmd, args = {}) =>
    new Promise((resolve, reject) => {
      if (exited) {
        reject(new Error('server process is gone'));
        return;
      }
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ id, cmd, ...args });
    });

  const ports = await request('ports');
  return {
    echo: `ws://127.0.0.1:${ports.echo}`,
    broadcast: `ws://127.0.0.1:${ports.broadcast}`,
    drop: `ws://127.0.0.1:${ports.drop}`,
    request,
    async cpu() {
      const { user, system } = await request('cpu');
      return { user, system };
    },
    async close() {
      if (exited) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      await request('close').catch(() => undefined);
      await gone;
    },
  };
}
