// Transparency-log primitives (RFC 6962 Merkle trees, C2SP signed notes, checkpoints, tiles, cosignatures and
// the witness's add-checkpoint decision), shared by the registry's signing log, witnesses and the clients
// that check them.
export * from './audit.js';
export * from './checkpoint.js';
export * from './cosignature.js';
export * from './entries.js';
export * from './merkle.js';
export * from './note.js';
export * from './tiles.js';
export * from './tile-reader.js';
export * from './witness.js';
