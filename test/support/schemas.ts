// The two published schemas vouch's machine output must satisfy, compiled once per process:
// docs/report.schema.json (draft 2020-12, `--format json`) and the OASIS SARIF 2.1.0 schema
// (draft-04, `--format sarif`, byte copy in fixtures/real/sarif/, see fixtures/real/ORIGIN.md).
//
// API
//   reportValidator() → (doc) => boolean, with `.errors` after a failed call (ajv's)
//   sarifValidator()  → the same for SARIF logs
//   reportSchema()    → docs/report.schema.json, parsed (e.g. to compare its finding-code enum)
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import AjvDraft04Module from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import { packagePath } from '../../lib/config/package-root.js';

export type Validator = ((data: unknown) => boolean) & { errors?: unknown };

// Both packages are CommonJS with a default export; under NodeNext their types are the namespaces.
type AjvLike = { compile(schema: object): Validator };
const AjvDraft04 = AjvDraft04Module as unknown as new (opts: object) => AjvLike;
const addFormats = addFormatsModule as unknown as <A>(ajv: A) => A;

let report: Validator | undefined;
let sarif: Validator | undefined;

export function reportSchema(): object {
  return readSchema('docs', 'report.schema.json');
}

export function reportValidator(): Validator {
  report ??= addFormats(new Ajv2020({ allErrors: true, strict: true })).compile(reportSchema()) as Validator;
  return report;
}

export function sarifValidator(): Validator {
  // strict: false, because the schema is third-party draft-04 text, not ours to tidy; unicodeRegExp: false,
  // because its language pattern `^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$` is invalid under the `u` flag.
  sarif ??= addFormats(new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false })).compile(
    readSchema('fixtures', 'real', 'sarif', 'sarif-2.1.0-rtm.5.json'),
  );
  return sarif;
}

function readSchema(...path: string[]): object {
  return JSON.parse(readFileSync(packagePath(...path), 'utf8')) as object;
}
