import { describe, expect, it } from 'vitest';
import { render, toReportJson } from '../../../lib/cli/render/index.js';
import type { PackageVerdict } from '../../../lib/policy/report.js';
import { allowed, finding, ref, report } from './report-builder.js';
import { reportValidator } from '../../support/schemas.js';

// A package whose missing provenance an exception waived: allowed, and the report still shows the waiver.
function waivedVerdict(): PackageVerdict {
  const v = allowed(ref('left-pad', '1.3.0'));
  return { ...v, waived: [{ ...finding('PROVENANCE_MISSING', 'deny'), waivedBy: 'exceptions["left-pad"][0]' }] };
}

describe('waived findings', () => {
  it('are listed per package in the JSON report, with the exception path, and validate', () => {
    const json = toReportJson(report([waivedVerdict(), allowed(ref('b', '1.0.0'))]), '0.0.0-test');
    const pkg = json.packages.find((p) => p.name === 'left-pad')!;
    expect(pkg.decision).toBe('allow');
    expect(pkg.findings).toEqual([]);
    expect(pkg.waived).toEqual([expect.objectContaining({ code: 'PROVENANCE_MISSING', waivedBy: 'exceptions["left-pad"][0]' })]);
    expect(json.packages.find((p) => p.name === 'b')!.waived).toEqual([]);
    const validate = reportValidator();
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
  });

  it('get their own section in the text report', () => {
    const text = render(report([waivedVerdict()]), 'text', { version: '0.0.0-test' });
    expect(text).toMatch(/Waived by exceptions \(1\):\n {2}left-pad@1\.3\.0 PROVENANCE_MISSING: waived by exceptions\["left-pad"\]\[0\]/);
  });
});
