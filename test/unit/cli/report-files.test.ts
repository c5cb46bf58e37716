import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VouchError } from '../../../lib/errors/index.js';
import { parseReportFiles } from '../../../lib/cli/report-files.js';

describe('parseReportFiles (--report-file F=FILE)', () => {
  it('reads each format and file, resolving the file from where vouch was started', () => {
    expect(parseReportFiles(['sarif=out/vouch.sarif', 'codequality=gl.json', 'text=a=b.txt'])).toEqual([
      { format: 'sarif', file: resolve('out/vouch.sarif') },
      { format: 'codequality', file: resolve('gl.json') },
      { format: 'text', file: resolve('a=b.txt') }, // only the first = separates
    ]);
    expect(parseReportFiles(undefined)).toEqual([]);
  });

  it.each(['vouch.sarif', 'html=report.html', 'sarif=', '=vouch.sarif'])('refuses %j with USAGE (exit 2)', (value) => {
    let error: unknown;
    try {
      parseReportFiles([value]);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(VouchError);
    expect((error as VouchError).code).toBe('USAGE');
  });
});
