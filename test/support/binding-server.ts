// The web binding on a plain HTTP server, for tests of the binding without the rest of the headless
// web server: its calls and its events socket, the renderer's files behind them if given, 404 for
// anything else, on an ephemeral 127.0.0.1 port.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createStaticHandler } from '../../src/main/headless/static.js';
import type { WebBinding } from '../../src/main/headless/web-binding.js';

export interface ServedBinding {
  port: number;
  /** Closes the binding (its sockets) and the server with every connection left open. */
  close(): Promise<void>;
}

export async function serveBinding(binding: WebBinding, staticRoot?: string): Promise<ServedBinding> {
  const serveStatic = staticRoot ? createStaticHandler(staticRoot) : undefined;
  const server = createServer((req, res) => {
    if (binding.handleRequest(req, res)) return;
    void (serveStatic?.(req, res) ?? Promise.resolve(false)).then((served) => {
      if (!served) res.writeHead(404).end();
    });
  });
  binding.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      await binding.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
