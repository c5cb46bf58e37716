// The patches vouch applies to libraries' internals, one folder per library (docs/patches.md).
export { patchNoteLines, patchNotes, type PatchNote } from './notes.js';
