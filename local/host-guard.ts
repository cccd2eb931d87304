/**
 * Every local server answers only requests addressed to this machine by name: `Host` is localhost,
 * 127.0.0.1 or [::1] (any port). A web page elsewhere that gets a browser on this machine to send a
 * request here — through DNS rebinding, a name of its own resolving to 127.0.0.1 — sends its own
 * name in `Host` and is refused (421) before any server sees the request.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

const LOCAL_HOST = /^(?:localhost|127\.0\.0\.1|\[::1\])(?::\d{1,5})?$/i;

/** Whether a `Host` header names this machine. */
export function isLocalHost(host: string | undefined): boolean {
  return host !== undefined && LOCAL_HOST.test(host.trim());
}

/** Puts the Host check in front of a server's own request handlers; answers the server. */
export function guardHost<S extends Server>(server: S): S {
  const handlers = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    // Exactly one Host header (Node keeps the first of several), and a request target that is a path
    // (an absolute URL in the request line names another host than the header).
    const hosts = req.rawHeaders.filter((_, i) => i % 2 === 0 && req.rawHeaders[i]!.toLowerCase() === 'host').length;
    if (hosts !== 1 || !isLocalHost(req.headers.host) || !(req.url ?? '').startsWith('/')) {
      res.writeHead(421, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Misdirected Request: the local system answers only requests to localhost, 127.0.0.1 or [::1].' }));
      return;
    }
    for (const handler of handlers) handler.call(server, req, res);
  });
  return server;
}
