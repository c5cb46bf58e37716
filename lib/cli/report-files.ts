// Where a gate report goes: stdout in --format, and each `--report-file FORMAT=FILE` in its own format, all
// from the one run (a CI job wants SARIF, Code Quality and the text log of the same `vouch ci`, which it
// cannot run twice). SARIF and Code Quality point at lockfile lines, by the lockfile's path from the
// repository root, since that is how code scanning and GitLab place them.
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { VouchError } from '../errors/index.js';
import type { Report } from '../policy/index.js';
import { lockfileUri } from './diff-base.js';
import { lockfileText } from './gate.js';
import type { Output } from './output.js';
import { FORMATS, render, type Format, type RenderOptions } from './render/index.js';

export interface ReportFile {
  format: Format;
  /** As given, resolved from the directory vouch was started in. */
  file: string;
}

/** Where the report goes: the format printed on stdout and the files written beside it. */
export interface ReportTargets {
  format: Format;
  verbose: boolean;
  files: readonly ReportFile[];
}

/** Reads the repeatable `--report-file FORMAT=FILE` (a bad one is a usage error before anything runs). */
export function parseReportFiles(values: unknown): ReportFile[] {
  const given = Array.isArray(values) ? values.filter((v): v is string => typeof v === 'string') : [];
  return given.map((value) => {
    const at = value.indexOf('=');
    const format = value.slice(0, at);
    const file = value.slice(at + 1);
    if (at < 1 || file === '' || !(FORMATS as readonly string[]).includes(format)) {
      throw new VouchError(
        'USAGE',
        `--report-file takes FORMAT=FILE with FORMAT one of ${FORMATS.join(', ')}, got "${value}"`,
        {},
        'e.g. --report-file sarif=vouch.sarif',
      );
    }
    return { format: format as Format, file: resolve(file) };
  });
}

/**
 * Writes every report file, then prints the report on stdout unless `quiet`. Files are written whatever
 * the decision: an empty SARIF run is how code scanning learns that earlier alerts are fixed.
 */
export async function emitReport(report: Report, targets: ReportTargets, cwd: string, out: Output, quiet = false, lockfile?: string): Promise<void> {
  const formats = [...targets.files.map((f) => f.format), ...(quiet ? [] : [targets.format])];
  const located = formats.some((f) => f === 'sarif' || f === 'codequality') ? await lockfileLocation(cwd, lockfile) : {};
  const base: RenderOptions = { verbose: targets.verbose, ...located };
  for (const { format, file } of targets.files) {
    try {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, render(report, format, base));
    } catch (err) {
      throw new VouchError('USAGE', `cannot write the --report-file ${file}: ${err instanceof Error ? err.message : String(err)}`, { file }, undefined, {
        cause: err,
      });
    }
  }
  if (!quiet) out.stdout(render(report, targets.format, { ...base, color: out.isTTY && !process.env.NO_COLOR }));
}

/** The judged lockfile (`lockfile`: its absolute path; default package-lock.json): its text and its path from the repository root. */
async function lockfileLocation(cwd: string, lockfile?: string): Promise<Pick<RenderOptions, 'lockfileText' | 'lockfileUri'>> {
  const [text, uri] = await Promise.all([lockfileText(cwd, lockfile), lockfileUri(cwd, lockfile ? basename(lockfile) : undefined)]);
  return { ...(text !== undefined ? { lockfileText: text } : {}), lockfileUri: uri };
}
