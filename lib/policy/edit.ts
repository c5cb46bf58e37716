// Changes vouch makes to vouch.policy.json for `vouch approve`: append one exception and keep every
// other byte the user wrote (order, spacing, other exceptions). Pure: text in, text out.
import { applyEdits, modify } from 'jsonc-parser';
import { checkPolicyDocument } from './parse.js';
import { FILE_DEFAULTS, POLICY_SCHEMA_REF } from './policy.js';
import type { WaivableCode } from './schema.js';

export interface NewException {
  name: string;
  versions?: string;
  allow: readonly WaivableCode[];
  reason: string;
  approvedBy: string;
  /** "YYYY-MM-DD" or an RFC 3339 time. */
  expires: string;
}

/**
 * The policy text with `exception` appended to `exceptions[name]`. Without a file (null), a new one
 * that spells out the built-in policy's settings, so adding an exception changes nothing else.
 * Throws the usual POLICY_* error if the current text or the result is not a valid policy.
 */
export function addException(policyText: string | null, exception: NewException, file: string): string {
  const entry = {
    ...(exception.versions !== undefined ? { versions: exception.versions } : {}),
    allow: [...exception.allow],
    reason: exception.reason,
    approvedBy: exception.approvedBy,
    expires: exception.expires,
  };
  let next: string;
  if (policyText === null) {
    const doc = {
      $schema: POLICY_SCHEMA_REF,
      defaults: { signatures: FILE_DEFAULTS.signatures, provenance: FILE_DEFAULTS.provenance, unsignedRegistry: 'warn' },
      exceptions: { [exception.name]: [entry] },
    };
    next = `${JSON.stringify(doc, null, 2)}\n`;
  } else {
    checkPolicyDocument(policyText, file); // never edit a file that does not validate: the edit could hide the problem
    const indent = detectIndent(policyText);
    const edits = modify(policyText, ['exceptions', exception.name, -1], entry, {
      formattingOptions: { insertSpaces: indent !== '\t', tabSize: indent === '\t' ? 1 : indent.length, eol: policyText.includes('\r\n') ? '\r\n' : '\n' },
    });
    next = applyEdits(policyText, edits);
  }
  checkPolicyDocument(next, file);
  return next;
}

// The indentation of the first indented line, else two spaces.
function detectIndent(text: string): string {
  const m = /\n([ \t]+)\S/.exec(text);
  if (!m?.[1]) return '  ';
  return m[1].startsWith('\t') ? '\t' : m[1];
}
