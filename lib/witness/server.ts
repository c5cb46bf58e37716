// The witness's HTTP face (C2SP tlog-witness): POST <prefix>/add-checkpoint, decided by lib/tlog/witness.ts.
// Requests are handled one at a time from decision to durable state (both synchronous), so two submissions
// can never interleave between the old-size check and the write: the race the spec warns of cannot happen.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_REQUEST_BYTES, addCheckpoint, type Cosigner, type NoteVerifier, type WitnessResponse } from '../tlog/index.js';
import type { WitnessStateFile } from './state-file.js';

export interface WitnessServerOptions {
  host: string;
  port: number;
  /** The logs it witnesses: verifiers of each log's key, by checkpoint origin. */
  logs: ReadonlyMap<string, readonly NoteVerifier[]>;
  cosigners: readonly Cosigner[];
  store: WitnessStateFile;
  now?: () => Date;
  /** Told of every add-checkpoint answered (for the operator's log lines). */
  onAnswer?: (answer: { status: number; message: string }) => void;
}

export interface RunningWitness {
  /** The submission prefix, ending in "/": add-checkpoint is `${url}add-checkpoint`. */
  url: string;
  close(): Promise<void>;
}

export async function startWitnessServer(opts: WitnessServerOptions): Promise<RunningWitness> {
  const server = createServer((req, res) => {
    handle(req, res, opts).catch((err: unknown) => {
      opts.onAnswer?.({ status: 500, message: `internal error: ${(err as Error).message}` });
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 30_000; // the spec asks witnesses to support keep-alive for logs that submit often
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(opts.port, opts.host, () => done());
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host}:${port}/`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, opts: WitnessServerOptions): Promise<void> {
  const path = (req.url ?? '').split('?')[0];
  if (path !== '/add-checkpoint') return send(res, 404, 'text/plain; charset=utf-8', 'not found: this witness serves POST /add-checkpoint\n');
  if (req.method !== 'POST') {
    res.setHeader('allow', 'POST');
    return send(res, 405, 'text/plain; charset=utf-8', 'add-checkpoint takes POST\n');
  }
  const body = await readBody(req);
  if (body === undefined) {
    res.setHeader('connection', 'close');
    return send(res, 413, 'text/plain; charset=utf-8', `a request body is at most ${MAX_REQUEST_BYTES} bytes\n`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return answer(res, opts, { status: 400, message: 'malformed request: not UTF-8' });
  }
  // From here to the answer nothing awaits: the decision and the state it rests on are never interleaved.
  const decided = addCheckpoint({ body: text, logs: opts.logs, state: opts.store.state, cosigners: opts.cosigners, now: (opts.now ?? (() => new Date()))() });
  if (decided.status === 200) {
    try {
      opts.store.commit(decided.origin, decided.head);
    } catch (err) {
      opts.onAnswer?.({ status: 500, message: `could not record ${decided.origin} at ${decided.head.size}: ${(err as Error).message}` });
      return send(res, 500, 'text/plain; charset=utf-8', 'the witness could not record the checkpoint; nothing was cosigned\n');
    }
  }
  answer(res, opts, decided);
}

function answer(res: ServerResponse, opts: WitnessServerOptions, r: WitnessResponse): void {
  if (r.status === 200) {
    opts.onAnswer?.({ status: 200, message: `cosigned ${r.origin} at ${r.head.size} entries` });
    return send(res, 200, 'text/plain; charset=utf-8', r.lines.join(''));
  }
  opts.onAnswer?.({ status: r.status, message: r.message });
  if (r.status === 409) return send(res, 409, 'text/x.tlog.size', `${r.size}\n`);
  send(res, r.status, 'text/plain; charset=utf-8', `${r.message}\n`);
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

/** The body, or undefined past MAX_REQUEST_BYTES (reading stops there; the connection is closed after the answer). */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((done, fail) => {
    if (Number(req.headers['content-length'] ?? 0) > MAX_REQUEST_BYTES) return done(undefined);
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer) => {
      length += chunk.length;
      if (length <= MAX_REQUEST_BYTES) return void chunks.push(chunk);
      req.off('data', onData);
      req.pause();
      done(undefined);
    };
    req.on('data', onData);
    req.once('end', () => done(Buffer.concat(chunks)));
    req.once('error', fail);
  });
}
