// lib/patches/pacote/hooks.ts: the probe recognises how the installed arborist calls pacote, and refuses
// an arborist that copies a function out of pacote (a wrap would then miss its calls) or a pacote whose
// functions cannot be replaced. A wrap reaches arborist's own calls, and is undone afterwards.
import { describe, expect, it } from 'vitest';
import { arboristPacote, arboristSources, probePacoteHooks, withPacoteWrapped, type ArboristPacote } from '../../../../lib/patches/pacote/hooks.js';

describe('the pacote hooks probe', () => {
  it('recognises the installed arborist and pacote', () => {
    expect(probePacoteHooks(arboristSources(), arboristPacote())).toBeNull();
  });

  it('refuses an arborist that destructures pacote or aliases one of its functions', () => {
    const sources = arboristSources();
    const reify = sources.get('arborist/reify.js')!;
    const destructured = new Map(sources).set(
      'arborist/reify.js',
      reify.replace("const pacote = require('pacote')", "const pacote = require('pacote')\nconst { extract } = pacote"),
    );
    expect(probePacoteHooks(destructured, arboristPacote())).toBe('arborist/reify.js copies a function out of pacote');
    const aliased = new Map(sources).set(
      'arborist/reify.js',
      reify.replace("const pacote = require('pacote')", "const pacote = require('pacote')\nconst extract = pacote.extract"),
    );
    expect(probePacoteHooks(aliased, arboristPacote())).toBe('arborist/reify.js copies a function out of pacote');
    const unbound = new Map(sources).set('arborist/reify.js', reify.replace("const pacote = require('pacote')", "const fetcher = require('pacote')"));
    expect(probePacoteHooks(unbound, arboristPacote())).toBe('arborist/reify.js loads pacote without binding the module');
  });

  it('refuses a pacote whose extract cannot be replaced', () => {
    const frozen = Object.freeze({ ...arboristPacote() }) as ArboristPacote;
    expect(probePacoteHooks(arboristSources(), frozen)).toBe('pacote.extract is not a writable function');
  });

  it('wraps the function arborist calls for the task only', async () => {
    const pacote = arboristPacote();
    const original = pacote.manifest;
    const seen: unknown[] = [];
    await withPacoteWrapped(
      'manifest',
      (manifest) => (spec, opts) => (seen.push(spec), manifest(spec, opts)),
      async () => {
        await expect(arboristPacote().manifest('file:/nonexistent-vouch-folder', {})).rejects.toThrow();
      },
    );
    expect(seen).toEqual(['file:/nonexistent-vouch-folder']);
    expect(pacote.manifest).toBe(original);
  });
});
