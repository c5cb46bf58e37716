// A registry "far away": an HTTP proxy on 127.0.0.1 that forwards every request to the registry after
// a fixed delay (40 ms by default), as a remote registry's round trip would cost. Both vouch and npm
// are pointed at the proxy URL as their registry.
//
// The Host header is forwarded unchanged (as a reverse proxy does), so Verdaccio builds every URL it
// serves (dist.tarball, dist.attestations.url) on the proxy's origin and tarball fetches come back
// through the proxy too (checkProxyUrls asserts it). The proxy counts what it forwarded (per kind, and
// which packuments), so each run can show that all of its traffic went through it.
//
// API
//   startLatencyProxy({ target, delayMs }) → LatencyProxy
//   proxy.url                 `http://127.0.0.1:PORT/`
//   proxy.take()              → ProxyCounts since the last take() (and resets them)
//   proxy.close()
//   checkProxyUrls(proxy, name)  throws unless name's packument, tarball and attestation URLs are on the proxy
import { createServer, request as httpRequest, Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ProxyCounts {
  requests: number;
  packuments: number;
  tarballs: number;
  keys: number;
  attestations: number;
  other: number;
  /** Distinct package names whose packument was requested. */
  packumentNames: Set<string>;
  /** Non-2xx/3xx answers forwarded (a run with errors is not a valid sample). */
  errors: number;
}

export interface LatencyProxy {
  url: string;
  delayMs: number;
  take(): ProxyCounts;
  close(): Promise<void>;
}

export interface ProxyOptions {
  /** The registry, `http://127.0.0.1:PORT/`. */
  target: string;
  delayMs: number;
}

export async function startLatencyProxy(opts: ProxyOptions): Promise<LatencyProxy> {
  const target = new URL(opts.target);
  // Keep-alive to the registry, unbounded: the proxy must add its delay and nothing else.
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  let counts = emptyCounts();
  const server = createServer((req, res) => {
    count(counts, req);
    void forward(req, res, target, agent, opts.delayMs, (status) => {
      if (status >= 400) counts.errors++;
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    delayMs: opts.delayMs,
    take() {
      const taken = counts;
      counts = emptyCounts();
      return taken;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      agent.destroy();
    },
  };
}

async function forward(req: IncomingMessage, res: ServerResponse, target: URL, agent: Agent, delayMs: number, onStatus: (s: number) => void): Promise<void> {
  await sleep(delayMs);
  // Host goes through unchanged: Verdaccio then writes the proxy's origin into every URL it serves.
  const upstream = httpRequest(
    {
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: req.headers,
      agent,
    },
    (answer) => {
      onStatus(answer.statusCode ?? 502);
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', (err) => {
    onStatus(502);
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`latency proxy: ${err.message}`);
  });
  req.pipe(upstream);
}

function count(c: ProxyCounts, req: IncomingMessage): void {
  c.requests++;
  const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
  if (path.startsWith('/-/npm/v1/keys')) c.keys++;
  else if (path.startsWith('/-/npm/v1/attestations/')) c.attestations++;
  else if (path.includes('/-/') && path.endsWith('.tgz')) c.tarballs++;
  else if (req.method === 'GET' && /^\/(@[^/]+\/)?[^/@][^/]*$/.test(path)) {
    c.packuments++;
    c.packumentNames.add(path.slice(1));
  } else c.other++;
}

function emptyCounts(): ProxyCounts {
  return { requests: 0, packuments: 0, tarballs: 0, keys: 0, attestations: 0, other: 0, packumentNames: new Set(), errors: 0 };
}

/**
 * Asserts the registry's URLs come back on the proxy's origin for `name` (a packument fetched through
 * the proxy names tarballs and attestations on the proxy, and its tarball downloads through it).
 */
export async function checkProxyUrls(proxy: LatencyProxy, name: string): Promise<void> {
  const res = await fetch(new URL(name.replace('/', '%2f'), proxy.url), { headers: { accept: 'application/json' } });
  const doc = (await res.json()) as { versions?: Record<string, { dist?: { tarball?: string; attestations?: { url?: string } } }> };
  const urls = Object.values(doc.versions ?? {})
    .flatMap((v) => [v.dist?.tarball, v.dist?.attestations?.url])
    .filter((u): u is string => u !== undefined);
  const foreign = urls.filter((u) => !u.startsWith(proxy.url));
  if (urls.length === 0 || foreign.length > 0) throw new Error(`proxy: ${name}'s packument names URLs off the proxy: ${foreign.join(', ') || '(none)'}`);
  proxy.take(); // count only the download below
  const tarball = await fetch(urls[0]!);
  await tarball.arrayBuffer();
  const after = proxy.take();
  if (tarball.status !== 200 || after.tarballs !== 1) throw new Error(`proxy: the tarball ${urls[0]} did not come through the proxy (${tarball.status})`);
}
