// vouch.policy.schema.json, generated from the same zod definition that validates at run time.
// `npm run schema` writes it; a unit test checks the committed file equals this.
import { z } from 'zod';
import { PolicyFileSchema } from './schema.js';

/** The JSON Schema (draft 2020-12) of vouch.policy.json. */
export function policySchemaJson(): Record<string, unknown> {
  return z.toJSONSchema(PolicyFileSchema, { target: 'draft-2020-12', io: 'input' }) as Record<string, unknown>;
}

/** The file's exact text: two-space JSON and a final newline. */
export function policySchemaText(): string {
  return `${JSON.stringify(policySchemaJson(), null, 2)}\n`;
}
