// The slice of Express and Verdaccio the plugin touches, typed structurally (Verdaccio 6 ships no usable
// types here), plus body reading and JSON replies. No Express import: Verdaccio hands us its own app.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface PluginRequest extends IncomingMessage {
  params: Record<string, string | undefined>;
  path: string;
  protocol: string;
  body?: unknown;
  /** body-parser's "already parsed" flag: Verdaccio's own JSON parser skips a request that has it. */
  _body?: boolean;
}

export type PluginResponse = ServerResponse;
export type Next = (err?: unknown) => void;
export type Handler = (req: PluginRequest, res: PluginResponse, next: Next) => void;

/** The Express app Verdaccio passes to `register_middlewares` (routes added here run before its API). */
export interface PluginApp {
  use(handler: Handler): void;
  get(path: string | RegExp, handler: Handler): void;
  put(path: string | RegExp, handler: Handler): void;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Replies with a JSON body given as already-serialised text (so stored bytes can be embedded as is). */
export function sendJsonText(res: PluginResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

export function sendJson(res: PluginResponse, status: number, body: unknown): void {
  sendJsonText(res, status, JSON.stringify(body));
}

/** Same error shape Verdaccio answers with: `{"error": "..."}`. */
export function sendError(res: PluginResponse, status: number, message: string): void {
  sendJson(res, status, { error: message });
}

/** Reads a request body up to `limit` bytes; a larger body is a 413, never buffered whole. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw new HttpError(413, `request body larger than ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new HttpError(413, `request body larger than ${limit} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

// ─── request context ──────────────────────────────────────────────────────────────────────

/**
 * Filters run deep inside Verdaccio's storage with no request in hand, yet `dist.attestations.url`
 * must be absolute. A middleware records each request's public origin here; the filter reads it.
 */
const requestContext = new AsyncLocalStorage<{ origin: string }>();

export function runWithOrigin(origin: string, fn: () => void): void {
  requestContext.run({ origin }, fn);
}

export function currentOrigin(): string | undefined {
  return requestContext.getStore()?.origin;
}

/** `http://host:port` of a request as the client addressed it (Express honours `trust proxy`). */
export function originOf(req: PluginRequest): string {
  const host = req.headers.host ?? 'localhost';
  return `${req.protocol || 'http'}://${host}`;
}
