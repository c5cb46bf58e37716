// The log's side of C2SP tlog-witness: submit a checkpoint with a consistency proof from the size the
// witness last cosigned, get its cosignature lines back. Trusts nothing the witness answers: the lines are
// returned as received, to be checked with cosignedBy (lib/tlog/cosignature.ts) and the witness's key.
//
// API
//   submitCheckpoint(witnessUrl, oldSize, proof, checkpoint, { timeoutMs }) → SubmitResult:
//     cosigned    { lines, note }  the witness's signature lines, and the checkpoint note with them appended
//     conflict    { size }         409: the witness holds `size`; submit again with a proof from that size
//     refused     { status, message }  any other answer (403/404 unknown log or key, 422 bad proof, 400 …)
//     unreachable { message }      no answer (connection, timeout)
//   witnessUrl is the witness's submission prefix (`vouch log witness` prints it): POST <prefix>add-checkpoint.
import { formatAddCheckpoint, type Hash } from '../tlog/index.js';

export type SubmitResult =
  | { kind: 'cosigned'; lines: string[]; note: string }
  | { kind: 'conflict'; size: number }
  | { kind: 'refused'; status: number; message: string }
  | { kind: 'unreachable'; message: string };

/** The most of a witness's answer read (a few cosignature lines, or an error message). */
const MAX_ANSWER_BYTES = 64 * 1024;

export async function submitCheckpoint(
  witnessUrl: string,
  oldSize: number,
  proof: readonly Hash[],
  checkpoint: string,
  opts: { timeoutMs?: number } = {},
): Promise<SubmitResult> {
  const url = new URL('add-checkpoint', witnessUrl.endsWith('/') ? witnessUrl : `${witnessUrl}/`);
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, {
      method: 'POST',
      body: formatAddCheckpoint({ oldSize, proof: [...proof], checkpoint }),
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
    });
    text = await boundedText(res);
  } catch (err) {
    return { kind: 'unreachable', message: `${url.href}: ${reason(err)}` };
  }
  if (res.status === 409) {
    const size = /^(0|[1-9][0-9]*)\n$/.exec(text);
    if ((res.headers.get('content-type') ?? '').split(';')[0]!.trim() === 'text/x.tlog.size' && size && Number.isSafeInteger(Number(size[1]))) {
      return { kind: 'conflict', size: Number(size[1]) };
    }
    return { kind: 'refused', status: 409, message: `409 without a text/x.tlog.size body: ${snippet(text)}` };
  }
  if (res.status !== 200) return { kind: 'refused', status: res.status, message: snippet(text) || res.statusText };
  const lines = text.split(/(?<=\n)/);
  if (lines.length === 0 || lines.some((l) => !/^\u2014 [^\s]+ [A-Za-z0-9+/]+={0,2}\n$/u.test(l))) {
    return { kind: 'refused', status: 200, message: `the answer is not signature lines: ${snippet(text)}` };
  }
  return { kind: 'cosigned', lines, note: checkpoint + lines.join('') };
}

async function boundedText(res: Response): Promise<string> {
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (bytes.length > MAX_ANSWER_BYTES) throw new Error(`the answer is over ${MAX_ANSWER_BYTES} bytes`);
  return new TextDecoder().decode(bytes);
}

/** An error's message with its cause's code (fetch says only "fetch failed"; ECONNREFUSED is in the cause). */
function reason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const cause = err instanceof Error ? (err.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : undefined;
  return detail ? `${message} (${detail})` : message;
}

function snippet(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
