// Changes vouch makes to vouch.policy.json for `vouch approve`: append one exception and keep every
// other byte the user wrote (order, spacing, other exceptions). Pure: text in, text out.
import { findNodeAtLocation, parseTree, type Node } from 'jsonc-parser';
import { checkPolicyDocument } from './parse.js';
import { FILE_DEFAULTS } from './policy.js';
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
export function addException(policyText: string | null, exception: NewException, file: string, schemaRef?: string): string {
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
      ...(schemaRef ? { $schema: schemaRef } : {}),
      defaults: { signatures: FILE_DEFAULTS.signatures, provenance: FILE_DEFAULTS.provenance, tier: FILE_DEFAULTS.tier.mode, unsignedRegistry: 'warn' },
      exceptions: { [exception.name]: [entry] },
    };
    next = `${JSON.stringify(doc, null, 2)}\n`;
  } else {
    checkPolicyDocument(policyText, file); // never edit a file that does not validate: the edit could hide the problem
    next = insertException(policyText, exception.name, entry);
  }
  checkPolicyDocument(next, file);
  return next;
}

// One insertion after the last member of the innermost existing container (the exception list, the
// exceptions object, or the root), indented like its siblings. jsonc-parser's own formatter would
// reformat the sibling on the same line, so the text is built here.
function insertException(withBom: string, name: string, entry: object): string {
  const bom = withBom.startsWith('\uFEFF') ? '\uFEFF' : '';
  const text = withBom.slice(bom.length);
  const tree = parseTree(text) as Node;
  const list = findNodeAtLocation(tree, ['exceptions', name]);
  const exceptions = findNodeAtLocation(tree, ['exceptions']);
  const [container, key, value]: [Node, string | undefined, unknown] = list
    ? [list, undefined, entry]
    : exceptions
      ? [exceptions, name, [entry]]
      : [tree, 'exceptions', { [name]: [entry] }];
  const unit = detectIndent(text);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const members = container.children ?? [];
  const containerIndent = lineIndent(text, container.offset);
  const multiline = text.slice(container.offset, container.offset + container.length).includes('\n');
  const memberIndent = multiline && members[0] ? lineIndent(text, members[0].offset) : containerIndent + unit;
  const pretty = JSON.stringify(value, null, unit)
    .split('\n')
    .join(eol + memberIndent);
  const item = key === undefined ? pretty : `${JSON.stringify(key)}: ${pretty}`;
  const last = members[members.length - 1];
  if (!last) {
    // An empty {} or []: replace whatever whitespace is inside it.
    const inner = `${eol}${memberIndent}${item}${eol}${containerIndent}`;
    return bom + text.slice(0, container.offset + 1) + inner + text.slice(container.offset + container.length - 1);
  }
  const at = last.offset + last.length;
  const insert = multiline
    ? `,${eol}${memberIndent}${item}`
    : `, ${key === undefined ? JSON.stringify(value) : `${JSON.stringify(key)}: ${JSON.stringify(value)}`}`;
  return bom + text.slice(0, at) + insert + text.slice(at);
}

// The leading whitespace of the line that holds `offset`.
function lineIndent(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start))?.[0] ?? '';
}

// The indentation unit: that of the first indented line, else two spaces.
function detectIndent(text: string): string {
  const m = /\n([ \t]+)\S/.exec(text);
  if (!m?.[1]) return '  ';
  return m[1].startsWith('\t') ? '\t' : m[1];
}
