// Loading vouch.policy.json: syntax (POLICY_PARSE), then shape (POLICY_SCHEMA), then meaning
// (POLICY_RULE). Each stage reports every problem it finds in one error, with file, path, line, column.
import { join } from 'node:path';
import { locate, parseJsonText, problemsError, readBounded, schemaProblems } from '../files/index.js';
import type { FileProblem } from '../files/json-file.js';
import { POLICY_CHECKS } from './checks.js';
import { POLICY_FILE, builtInPolicy, policyFromFile, type Policy } from './policy.js';
import { PolicyFileSchema, type PolicyFile } from './schema.js';

/** A policy file larger than this is refused: people write policies, not megabytes. */
export const MAX_POLICY_BYTES = 1024 * 1024;

const HINT = 'Fix vouch.policy.json; docs/policy.md lists every field, and its "$schema" lets editors check it as you type.';

/** Reads `<cwd>/vouch.policy.json`; without one, the built-in policy (`source: 'default'`). */
export async function loadPolicy(cwd: string): Promise<Policy> {
  const file = join(cwd, POLICY_FILE);
  const text = await readBounded(file, MAX_POLICY_BYTES, 'POLICY_PARSE');
  return text === null ? builtInPolicy() : parsePolicy(text, file);
}

/** Parses and validates policy text. Pure. Throws VouchError POLICY_PARSE | POLICY_SCHEMA | POLICY_RULE. */
export function parsePolicy(text: string, file: string): Policy {
  return policyFromFile(checkPolicyDocument(text, file), file);
}

/** The validated file content, as written (no defaults filled in). */
export function checkPolicyDocument(text: string, file: string): PolicyFile {
  const doc = parseJsonText(text, MAX_POLICY_BYTES);
  if ('problems' in doc) throw problemsError('POLICY_PARSE', file, doc.problems, HINT);
  const parsed = PolicyFileSchema.safeParse(doc.value);
  if (!parsed.success) throw problemsError('POLICY_SCHEMA', file, schemaProblems(doc, parsed.error.issues, PolicyFileSchema), HINT);
  const problems: FileProblem[] = [];
  for (const check of POLICY_CHECKS) check(parsed.data, (path, message) => problems.push(locate(doc, path, message)));
  if (problems.length > 0) throw problemsError('POLICY_RULE', file, problems, HINT);
  return parsed.data;
}
