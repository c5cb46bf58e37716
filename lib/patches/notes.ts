// Patches of libraries' internals (lib/patches/<library>/) each probe, before installing, that the
// internals they replace are the ones they were checked against. One that finds something else leaves
// the library's own code in place (slower, never wrong) and records why here; `--verbose` prints it.
import { createHash } from 'node:crypto';

export interface PatchNote {
  /** The patch, as its file under lib/patches/ (`arborist/bundler-fast-path`). */
  patch: string;
  /** What the probe found instead of the internals it expected. */
  reason: string;
}

const notes = new Map<string, PatchNote>();

/** Records that `patch` declined to install, once per patch. */
export function notePatchDeclined(patch: string, reason: string): void {
  if (!notes.has(patch)) notes.set(patch, { patch, reason });
}

/** Every patch that declined in this process, in the order they declined. */
export function patchNotes(): readonly PatchNote[] {
  return [...notes.values()];
}

/** The lines `--verbose` prints: one per declined patch. */
export function patchNoteLines(): string[] {
  return patchNotes().map((n) => `vouch: ${n.patch} not installed (${n.reason}); the library's own code runs instead, slower but with the same results`);
}

/**
 * A short digest of a function's source text, whitespace-collapsed. Patches that repeat or shortcut a
 * library function's logic compare it with the digests of the versions they were checked against.
 */
export function sourceDigest(fn: unknown): string | null {
  if (typeof fn !== 'function') return null;
  const text = Function.prototype.toString.call(fn).replace(/\s+/g, ' ').trim();
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
