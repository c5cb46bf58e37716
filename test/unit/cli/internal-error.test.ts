// An error vouch did not expect is its own exit code (70), never 0 or 1 (1 means "denied"), and its
// message says it is vouch's fault, without a stack trace unless --verbose.
import { describe, expect, it } from 'vitest';
import { reportError } from '../../../lib/cli/main.js';
import type { Output } from '../../../lib/cli/output.js';
import { INTERNAL_ERROR_EXIT, VouchError } from '../../../lib/errors/index.js';

function capture(): Output & { err: string } {
  const out = { err: '', isTTY: false, stdout: () => undefined, stderr: (text: string) => void (out.err += text) };
  return out;
}

describe('reportError', () => {
  const thrown = new TypeError("Cannot read properties of undefined (reading 'x')");

  it('exits 70 for an unexpected error, names it an internal error, and hides the stack', () => {
    const out = capture();
    expect(reportError(thrown, out, false)).toBe(INTERNAL_ERROR_EXIT);
    expect(INTERNAL_ERROR_EXIT).toBe(70);
    expect(out.err).toContain('internal error (exit 70): Cannot read properties of undefined');
    expect(out.err).toContain('--verbose');
    expect(out.err).not.toContain('    at ');
  });

  it('shows the stack with --verbose', () => {
    const out = capture();
    reportError(thrown, out, true);
    expect(out.err).toContain('    at ');
  });

  it("maps vouch's own errors to their codes: no such package is usage (2), an outage 3", () => {
    expect(reportError(new VouchError('PACKAGE_NOT_FOUND', 'no such package: x'), capture(), false)).toBe(2);
    expect(reportError(new VouchError('REGISTRY_UNREACHABLE', 'down'), capture(), false)).toBe(3);
    expect(reportError(new VouchError('USAGE', 'bad flag'), capture(), false)).toBe(2);
  });
});
