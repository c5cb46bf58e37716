// The files stage: what every file a person commits needs (vouch.policy.json, vouch.lock, package lists):
// a bounded read, JSON parsed with positions, schema problems located at their line and column, canonical
// JSON for digests, and the code-point and version orders files are written in.
export { readBounded } from './read-bounded.js';
export {
  parseJsonText,
  problemsError,
  hasProblems,
  locate,
  formatPath,
  MAX_JSON_DEPTH,
  type FileProblem,
  type FileProblemsError,
  type JsonDocument,
  type PathSegment,
} from './json-file.js';
export { schemaProblems } from './schema-problems.js';
export { canonicalJson } from './canonical-json.js';
export { compareStrings, compareVersions } from './order.js';
