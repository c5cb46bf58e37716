// The shape of vouch.lock, checked on every read. Unknown keys are errors: the file is written by vouch
// only, so anything it would not write is a hand edit or a bad merge, and never silently dropped.
import { z } from 'zod';

const text = z.string().regex(/\S/, { error: 'expected a non-empty string' });

const Identity = z.strictObject({
  issuer: text.optional(),
  repository: text.optional(),
  repositoryId: text.optional(),
  ownerId: text.optional(),
  workflow: text.optional(),
  san: text.optional(),
  publisherKey: text.optional(),
});

const Version = z.strictObject({
  // Only what vouch records: the one sha512 the registry signed (weaker or several hashes are never verified).
  integrity: z.string().regex(/^sha512-[A-Za-z0-9+/]{86}==$/, { error: 'expected one sha512 SRI hash: "sha512-" and 88 base64 characters' }).optional(),
  registryKey: text.optional(),
  attested: z.enum(['provenance', 'publisher']).optional(),
  identity: z.string().regex(/^sha256:[0-9a-f]{64}$/, { error: 'expected "sha256:" and 64 lowercase hex digits' }).optional(),
  evidence: z.string().regex(/^sha256:[0-9a-f]{64}$/, { error: 'expected "sha256:" and 64 lowercase hex digits' }),
});

const Approval = z.strictObject({
  approvedBy: text,
  approvedAt: z.iso.datetime({ offset: true, error: 'expected an RFC 3339 time' }),
  reason: text,
  versions: text.optional(),
  from: Identity.optional(),
  to: Identity.optional(),
  forgot: z.array(text).optional(),
});

const RegistryKey = z.strictObject({
  key: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, { error: 'expected base64 SPKI DER' }),
  expires: z.iso.datetime({ offset: true, error: 'expected an RFC 3339 time' }).optional(),
  revoked: z.iso.datetime({ offset: true, error: 'expected an RFC 3339 time' }).optional(),
});

const RegistryApproval = z.strictObject({
  approvedBy: text,
  approvedAt: z.iso.datetime({ offset: true, error: 'expected an RFC 3339 time' }),
  reason: text,
  from: z.array(text),
  to: z.array(text),
});

const RegistryLog = z.strictObject({
  key: z.string().regex(/^[^+\s]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*$/, { error: 'expected a log verifier key "origin+keyid+base64 key"' }),
  size: z.number().int().min(0),
  root: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, { error: 'expected a base64 SHA-256 root hash' }),
});

const Registry = z.strictObject({
  keys: z.record(z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, { error: 'expected a key id "SHA256:" + 43 base64 characters' }), RegistryKey),
  approvals: z.array(RegistryApproval).optional(),
  log: RegistryLog.optional(),
});

const Package = z.strictObject({
  identity: Identity.optional(),
  approvals: z.array(Approval).optional(),
  versions: z.record(z.string(), Version),
});

export const LockFileSchema = z.strictObject({
  lockVersion: z.literal(1, { error: 'expected lockVersion 1 (this vouch reads lock format 1 only)' }),
  registries: z.record(z.url({ error: 'expected a registry URL' }), Registry).optional(),
  packages: z.record(z.string().min(1), Package),
});
