import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** `hit` counts the requests this route has had, starting at 1: fixtures that change between runs branch on it. */
export type Handler = (req: IncomingMessage, res: ServerResponse, hit: number, url: URL) => void;

export interface FixtureServer {
  url: string;
  requests: Array<{ path: string; headers: IncomingMessage['headers'] }>;
  close(): Promise<void>;
}

/**
 * A local HTTP server on 127.0.0.1 and a free port, serving handlers by path. Anything unhandled
 * answers 599 and is recorded, so a test sees a request it did not plan for.
 */
export async function fixtureServer(routes: Record<string, Handler>): Promise<FixtureServer> {
  const hits = new Map<string, number>();
  const requests: FixtureServer['requests'] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({ path: `${url.pathname}${url.search}`, headers: req.headers });
    const handler = routes[url.pathname];
    if (!handler) {
      res.writeHead(599, { 'content-type': 'text/plain' }).end(`no fixture for ${url.pathname}`);
      return;
    }
    const n = (hits.get(url.pathname) ?? 0) + 1;
    hits.set(url.pathname, n);
    handler(req, res, n, url);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Answer with a body and a content type. */
export function send(res: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, ...headers }).end(body);
}
