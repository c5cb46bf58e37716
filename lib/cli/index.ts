// The CLI's surface for the library (lib/api): the gate `vouch verify` runs on a project, its options and
// defaults, and the JSON report it renders. Commands themselves load through lib/cli/commands/index.ts.
export { DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS, npmArgs } from './common-flags.js';
export { readTrustFiles, type GateOptions } from './gate.js';
export type { Output } from './output.js';
export { gateProjectTree } from './project-gate.js';
export { reportJson } from './render/index.js';
export type {
  AttestationsJson,
  EvidenceJson,
  KeyedJson,
  PackageJson,
  ProvenanceJson,
  ReportJson,
  SourceJson,
  SummaryJson,
} from './render/json.js';
