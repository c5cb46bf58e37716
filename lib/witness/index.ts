// A C2SP tlog-witness: its state file, its HTTP server (`vouch log witness`) and the client a log uses to
// submit checkpoints. The decision and the cosignature format live in lib/tlog (witness.ts, cosignature.ts).
export * from './client.js';
export * from './server.js';
export * from './state-file.js';
