// Transparency-log primitives (RFC 6962 Merkle trees, C2SP signed notes, checkpoints and tiles), shared by
// the registry's signing log and the clients that check it.
export * from './audit.js';
export * from './checkpoint.js';
export * from './entries.js';
export * from './merkle.js';
export * from './note.js';
export * from './tiles.js';
