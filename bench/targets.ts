// The targets of issue 6, judged on the measured numbers (null = not measured in this run).
import type { BenchResults, ScenarioResult, SizeResult } from './results.js';
import { mb, pairedRatio, rssOf, sec, times } from './format.js';

export interface TargetRow {
  target: string;
  measured: string;
  met: boolean | null;
}

const REFERENCE = 1000;
const LARGE = 5000;
const RSS_LIMIT = 400 * 2 ** 20;

export function targetRows(r: BenchResults): TargetRow[] {
  const ref = r.sizes.find((s) => s.packages === REFERENCE);
  const large = r.sizes.find((s) => s.packages === LARGE);
  const n = ref ? '' : ` (not measured: this run had ${r.sizes.map((s) => s.packages).join(', ')} packages)`;
  const rows: TargetRow[] = [
    speedup(
      ref,
      'verify-cold-proxy',
      3,
      `\`vouch verify\` cold on 1,000 packages ≥ 3× faster than \`npm audit signatures\`, +${r.latencyMs} ms per request${n}`,
    ),
    speedup(ref, 'verify-cold', 1.5, `\`vouch verify\` cold on 1,000 packages ≥ 1.5× faster than \`npm audit signatures\`, loopback${n}`),
    warmVerify(ref, n),
    overhead(ref, 'ci-cold', 0.1, `\`vouch ci\` overhead vs \`npm ci\` ≤ 10%, cold, 1,000 packages${n}`),
    overhead(ref, 'ci-warm', 0.03, `\`vouch ci\` overhead vs \`npm ci\` ≤ 3%, warm, 1,000 packages${n}`),
    ...largeRows(ref, large),
  ];
  const m = r.micro;
  rows.push(
    {
      target: 'registry signature verification ≥ 10,000 per second per core',
      measured: m ? `${Math.round(m.signatures.perSecond.median).toLocaleString('en-US')}/s` : '–',
      met: m ? m.signatures.perSecond.median >= 10_000 : null,
    },
    {
      target: 'Sigstore bundle verification ≥ 70 per second per core, cold',
      measured: m ? `${Math.round(m.bundlesCold.perSecond.median)}/s` : '–',
      met: m ? m.bundlesCold.perSecond.median >= 70 : null,
    },
    {
      target: 'a cached bundle costs no crypto',
      measured: m
        ? `${m.bundlesCached.microsecondsPerBundle.median.toFixed(1)} µs per bundle; ${m.bundlesCached.cryptoVerifies + m.bundlesCached.sigstoreVerifies} signature verifications`
        : '–',
      met: m ? m.bundlesCached.cryptoVerifies + m.bundlesCached.sigstoreVerifies === 0 : null,
    },
  );
  return rows;
}

function scenario(size: SizeResult | undefined, comparison: string, pick: (s: ScenarioResult) => boolean): ScenarioResult | undefined {
  return size?.comparisons.find((c) => c.id === comparison)?.scenarios.find(pick);
}

/**
 * Judged on `vouch verify` as shipped (default flags), per round (format.ts pairedRatio); other variants
 * of the comparison are listed after.
 */
function speedup(size: SizeResult | undefined, comparison: string, factor: number, target: string): TargetRow {
  const npm = scenario(size, comparison, (s) => s.tool === 'npm');
  const vouch = scenario(size, comparison, (s) => s.shown === 'vouch verify');
  const paired = npm && vouch ? pairedRatio(npm, vouch) : undefined;
  if (!npm || !vouch || !paired) return { target, measured: '–', met: null };
  const variants = (size?.comparisons.find((c) => c.id === comparison)?.scenarios ?? [])
    .filter((s) => s.tool === 'vouch' && s !== vouch)
    .map((s) => `; \`${s.shown}\`: ${(pairedRatio(npm, s)?.median ?? NaN).toFixed(2)}× (${sec(times(s).median)})`);
  const medians = times(npm).median / times(vouch).median;
  return {
    target,
    measured: `${paired.median.toFixed(2)}× per round, ${medians.toFixed(2)}× of the medians (npm ${sec(times(npm).median)}, vouch ${sec(times(vouch).median)})${variants.join('')}`,
    met: paired.median >= factor,
  };
}

function warmVerify(size: SizeResult | undefined, n: string): TargetRow {
  const target = `\`vouch verify\` warm on 1,000 packages < 1.5 s${n}`;
  const sig = scenario(size, 'verify-warm', (s) => s.tool === 'vouch');
  const prov = scenario(size, 'verify-provenance', (s) => s.kind === 'prov' && s.cache === 'warm');
  if (!sig) return { target, measured: '–', met: null };
  const provText = prov ? `; with provenance (prov tree) ${sec(times(prov).median)}` : '';
  return {
    target,
    measured: `${sec(times(sig).median)} (max ${sec(times(sig).max)})${provText}`,
    met: times(sig).median < 1.5 && (!prov || times(prov).median < 1.5),
  };
}

/** Judged on the prov tree (the whole job), per round; the signatures-only tree, when run, is listed beside it. */
function overhead(size: SizeResult | undefined, comparison: string, limit: number, target: string): TargetRow {
  const percent = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
  const measure = (id: string) => {
    const npm = scenario(size, id, (s) => s.tool === 'npm');
    const vouch = scenario(size, id, (s) => s.tool === 'vouch');
    const paired = npm && vouch ? pairedRatio(vouch, npm) : undefined;
    if (!npm || !vouch || !paired) return undefined;
    const over = paired.median - 1;
    const ofMedians = times(vouch).median / times(npm).median - 1;
    return {
      over,
      text: `${percent(over)} per round (${percent(paired.min - 1)} to ${percent(paired.max - 1)}), ${percent(ofMedians)} of the medians (npm ${sec(times(npm).median)}, vouch ${sec(times(vouch).median)})`,
    };
  };
  const prov = measure(comparison);
  const sig = measure(`${comparison}-sig`);
  if (!prov) return { target, measured: '–', met: null };
  return { target, measured: `prov tree ${prov.text}${sig ? `; sig tree ${sig.text}` : ''}`, met: prov.over <= limit };
}

function largeRows(ref: SizeResult | undefined, large: SizeResult | undefined): TargetRow[] {
  const timeTarget = '5,000 packages: vouch time grows no worse than linearly from 1,000 (ratio ≤ 5)';
  const rssRows = [rssRow(large, 'vouch verify', (s) => s.shown.startsWith('vouch verify')), rssRow(large, 'vouch ci', (s) => s.shown === 'vouch ci')];
  if (!large) return [...rssRows, { target: timeTarget, measured: '–', met: null }];
  const vouch = large.comparisons.flatMap((c) => c.scenarios.filter((s) => s.tool === 'vouch'));
  if (!ref) return [...rssRows, { target: timeTarget, measured: '–', met: null }];
  const ratios = vouch.flatMap((s) => {
    const before = ref.comparisons.flatMap((c) => c.scenarios).find((x) => x.id === s.id);
    return before ? [{ id: s.id, ratio: times(s).median / times(before).median }] : [];
  });
  if (ratios.length === 0) return [...rssRows, { target: timeTarget, measured: '–', met: null }];
  const worst = ratios.reduce((w, x) => (x.ratio > w.ratio ? x : w));
  const npmBeside = npmRatio(ref, large, worst.id);
  const beside = npmBeside === undefined ? '' : ` (npm in the same comparison ×${npmBeside.toFixed(2)})`;
  return [
    ...rssRows,
    {
      target: timeTarget,
      measured: `worst: ${worst.id} ×${worst.ratio.toFixed(2)}${beside} (all: ${ratios.map((x) => `${x.id} ×${x.ratio.toFixed(2)}`).join(', ')})`,
      met: worst.ratio <= LARGE / REFERENCE,
    },
  ];
}

/** How npm's time grew in the comparison a vouch scenario belongs to (its id is `<comparison>:<variant>`). */
function npmRatio(ref: SizeResult, large: SizeResult, scenarioId: string): number | undefined {
  const comparison = scenarioId.split(':')[0];
  const npmOf = (size: SizeResult) => size.comparisons.find((c) => c.id === comparison)?.scenarios.find((s) => s.tool === 'npm');
  const [before, after] = [npmOf(ref), npmOf(large)];
  return before && after ? times(after).median / times(before).median : undefined;
}

/** The largest peak RSS (max of runs) of one command at 5,000 packages, with npm's counterpart beside it. */
function rssRow(large: SizeResult | undefined, command: string, pick: (s: ScenarioResult) => boolean): TargetRow {
  const target = `5,000 packages: \`${command}\` peak RSS < 400 MB`;
  const all = large?.comparisons.flatMap((c) => c.scenarios) ?? [];
  const worst = (list: ScenarioResult[]) => list.reduce<ScenarioResult | undefined>((w, s) => (!w || rssOf(s).max > rssOf(w).max ? s : w), undefined);
  const vouch = worst(all.filter((s) => s.tool === 'vouch' && pick(s)));
  if (!vouch) return { target, measured: '–', met: null };
  const npm = worst(all.filter((s) => s.tool === 'npm' && (command === 'vouch ci' ? s.shown === 'npm ci' : s.shown === 'npm audit signatures')));
  const beside = npm ? `; \`${npm.shown}\` ${mb(rssOf(npm).max)}` : '';
  return { target, measured: `${mb(rssOf(vouch).max)} (${vouch.id}, max of runs)${beside}`, met: rssOf(vouch).max < RSS_LIMIT };
}
