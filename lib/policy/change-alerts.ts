// Change alerts: what an update brings that the version it replaces did not have — an install script
// added or changed (INSTALL_SCRIPT_ADDED / INSTALL_SCRIPT_CHANGED), a command (BIN_ADDED), dependencies
// (DEPENDENCIES_ADDED), another publisher or publishing method (PUBLISHER_CHANGED), or a release hard on
// the heels of its predecessor (QUICK_RELEASE). Each kind is `deny | warn | off` in `changeAlerts`.
// Pure. The views are unsigned (lockfile, packument, a tarball's own package.json): a version has what
// any view gives it, its predecessor had only what every view gives it, so a lying view can add a
// finding but never remove one.
import { truncate } from '../errors/index.js';
import type { ReleaseView, VersionChange } from '../tree/version-change.js';
import type { PackageEvidence } from '../verify/index.js';
import { finding, label, quote, type Severity } from './findings.js';
import { formatPath } from '../files/index.js';
import { ruleMatches } from './match.js';
import type { Policy } from './policy.js';
import type { Finding } from './report.js';
import type { ChangeAlertMode, ChangeAlertsEntry } from './schema.js';

/** `changeAlerts` with every field filled in. */
export interface ChangeAlertSettings {
  installScripts: ChangeAlertMode;
  bins: ChangeAlertMode;
  dependencies: ChangeAlertMode;
  publisher: ChangeAlertMode;
  quickRelease: ChangeAlertMode;
  /** A version published less than this many hours after the version it replaces is a QUICK_RELEASE. */
  quickReleaseHours: number;
}

export const CHANGE_ALERT_DEFAULTS: ChangeAlertSettings = {
  installScripts: 'deny',
  bins: 'warn',
  dependencies: 'warn',
  publisher: 'warn',
  quickRelease: 'warn',
  quickReleaseHours: 24,
};

type Resolved = { [K in keyof ChangeAlertSettings]: { value: ChangeAlertSettings[K]; rule: string } };

/**
 * changeAlerts for name@version: the first matching rule that sets `changeAlerts` decides (as for every
 * other setting), each field it leaves out coming from defaults.
 */
export function resolveChangeAlerts(policy: Policy, name: string, version: string): Resolved {
  const index = policy.rules.findIndex((rule) => rule.changeAlerts !== undefined && ruleMatches(rule, name, version));
  const set: ChangeAlertsEntry = index >= 0 ? policy.rules[index]!.changeAlerts! : {};
  const out = {} as Record<keyof ChangeAlertSettings, { value: unknown; rule: string }>;
  for (const key of Object.keys(CHANGE_ALERT_DEFAULTS) as (keyof ChangeAlertSettings)[]) {
    out[key] =
      set[key] !== undefined
        ? { value: set[key], rule: formatPath(['rules', index, 'changeAlerts', key]) }
        : { value: policy.defaults.changeAlerts[key], rule: `${policy.defaultsPath}.changeAlerts.${key}` };
  }
  return out as Resolved;
}

/** The change alerts of one verified version against each version it replaces. */
export function changeAlertFindings(e: PackageEvidence, changes: readonly VersionChange[], policy: Policy): Finding[] {
  if (changes.length === 0) return [];
  const s = resolveChangeAlerts(policy, e.ref.name, e.ref.version);
  return changes.flatMap((c) => [
    ...scriptFindings(c, s),
    ...addedFindings(c, s, 'bins'),
    ...addedFindings(c, s, 'dependencies'),
    ...publisherFindings(c, s),
    ...quickReleaseFindings(c, s, e),
  ]);
}

const severityOf = (mode: ChangeAlertMode): Severity | null => (mode === 'off' ? null : mode);
const id = (c: VersionChange) => label(c.name, c.version);
const replaces = (c: VersionChange) => `${id(c)} replaces ${c.from} (${c.fromSource})`;
const hint = (c: VersionChange, what: string) => `${what}; if the change is expected, record an exception: vouch approve ${id(c)} --reason "…"`;

// ─── install scripts ─────────────────────────────────────────────────────────────────────

function scriptFindings(c: VersionChange, s: Resolved): Finding[] {
  const mode = severityOf(s.installScripts.value);
  const beforeViews = c.before.filter((v) => v.scripts !== undefined || v.hasInstallScript !== undefined);
  if (!mode || beforeViews.length === 0) return [];
  const after = scriptTexts(c.after);
  const afterHas = after.size > 0 || c.after.some((v) => v.hasInstallScript === true);
  if (!afterHas) return [];
  // A script npm will not run (allowScripts denies it, or strict-allow-scripts stops the install) is at most a warning.
  const severity: Severity = c.scripts.runs ? mode : 'warn';
  const fate = c.scripts.approved
    ? 'allowScripts approves this package, so the approval given to the earlier scripts would run these'
    : c.scripts.runs
      ? 'npm would run them on install'
      : 'npm will not run them as configured (allowScripts or strict-allow-scripts)';
  const rule = s.installScripts.rule;
  const beforeHas = beforeViews.every((v) => (v.scripts !== undefined ? Object.keys(v.scripts).length > 0 : v.hasInstallScript === true));
  if (!beforeHas) {
    return [
      finding(
        'INSTALL_SCRIPT_ADDED',
        severity,
        `${replaces(c)}, which had no install script; ${c.version} adds ${describeScripts(after, c.after)}: ${fate}`,
        rule,
        hint(c, 'read the script in the package before anything runs it'),
      ),
    ];
  }
  const earlier = c.before.filter((v) => v.scripts !== undefined);
  if (earlier.length === 0) return []; // only "had scripts" is known of the predecessor: no text to compare
  const changed: string[] = [];
  for (const [event, bodies] of after) {
    for (const body of bodies) {
      const old = earlier.map((v) => v.scripts?.[event]);
      if (old.every((o) => o === body)) continue;
      const was = old.find((o) => o !== undefined && o !== body);
      changed.push(`${event} ${was === undefined ? 'added' : `was ${quote(was)}`}, now ${quote(body)}${gypNote(body)}`);
    }
  }
  if (changed.length === 0) return [];
  return [
    finding(
      'INSTALL_SCRIPT_CHANGED',
      severity,
      `${replaces(c)}, and its install scripts changed: ${changed.join('; ')}: ${fate}`,
      rule,
      hint(c, 'read the new script before anything runs it'),
    ),
  ];
}

/** Event → every body any text view gives the new version. */
function scriptTexts(views: readonly ReleaseView[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const v of views) for (const [event, body] of Object.entries(v.scripts ?? {})) out.set(event, new Set([...(out.get(event) ?? []), body]));
  return out;
}

function describeScripts(after: ReadonlyMap<string, ReadonlySet<string>>, views: readonly ReleaseView[]): string {
  if (after.size === 0)
    return `install scripts (per ${views
      .filter((v) => v.hasInstallScript === true)
      .map((v) => v.source)
      .join(', ')}; their text is not known here)`;
  return [...after].flatMap(([event, bodies]) => [...bodies].map((b) => `${event} ${quote(b)}${gypNote(b)}`)).join(', ');
}

const gypNote = (body: string) => (body === 'node-gyp rebuild' ? ' (npm runs it for the binding.gyp the package ships)' : '');

// ─── bins and dependencies ───────────────────────────────────────────────────────────────

function addedFindings(c: VersionChange, s: Resolved, kind: 'bins' | 'dependencies'): Finding[] {
  const mode = severityOf(s[kind].value);
  const before = c.before.filter((v) => v[kind] !== undefined);
  if (!mode || before.length === 0) return [];
  const had = (name: string) => before.every((v) => v[kind]!.includes(name));
  const added = [...new Set(c.after.flatMap((v) => v[kind] ?? []))].filter((n) => !had(n)).sort();
  if (added.length === 0) return [];
  const names = listNames(added);
  if (kind === 'bins') {
    return [
      finding(
        'BIN_ADDED',
        mode,
        `${replaces(c)}; ${c.version} links ${added.length === 1 ? 'a new command' : `${added.length} new commands`} into node_modules/.bin: ${names}`,
        s.bins.rule,
        hint(c, 'check that the package is meant to provide the command'),
      ),
    ];
  }
  return [
    finding(
      'DEPENDENCIES_ADDED',
      mode,
      `${replaces(c)}; ${c.version} adds ${added.length === 1 ? 'a dependency' : `${added.length} dependencies`}: ${names}`,
      s.dependencies.rule,
      hint(c, 'check why the new dependencies are needed and who publishes them'),
    ),
  ];
}

function listNames(names: readonly string[]): string {
  const shown = names.slice(0, 10).map((n) => truncate(n, 80));
  return `${shown.join(', ')}${names.length > shown.length ? ` and ${names.length - shown.length} more` : ''}`;
}

// ─── publisher and release time (packument data) ─────────────────────────────────────────

function publisherFindings(c: VersionChange, s: Resolved): Finding[] {
  const mode = severityOf(s.publisher.value);
  const before = c.before.find((v) => v.publisher)?.publisher;
  const after = c.after.find((v) => v.publisher)?.publisher;
  if (!mode || !before || !after) return [];
  const changes: string[] = [];
  if (before.name !== null && after.name !== null && before.name !== after.name)
    changes.push(`published by ${quote(after.name)}, ${c.from} by ${quote(before.name)}`);
  if (before.trusted && !after.trusted) changes.push(`${c.from} was published by trusted publishing (OIDC from CI), ${c.version} with a token or password`);
  if (changes.length === 0) return [];
  return [
    finding(
      'PUBLISHER_CHANGED',
      mode,
      `${replaces(c)}; ${changes.join('; ')} (per the registry's packument)`,
      s.publisher.rule,
      hint(c, 'check that the new publisher or publishing method is legitimate (a maintainer change, not a stolen account)'),
    ),
  ];
}

function quickReleaseFindings(c: VersionChange, s: Resolved, e: PackageEvidence): Finding[] {
  const mode = severityOf(s.quickRelease.value);
  const hours = s.quickReleaseHours.value;
  const before = c.before.find((v) => v.publishedAt)?.publishedAt;
  const after = c.after.find((v) => v.publishedAt)?.publishedAt ?? e.publishedAt ?? undefined;
  if (!mode || hours <= 0 || !before || !after) return [];
  const gap = after.getTime() - before.getTime();
  if (gap < 0 || gap >= hours * 3_600_000) return [];
  return [
    finding(
      'QUICK_RELEASE',
      mode,
      `${replaces(c)}; ${c.version} was published ${formatGap(gap)} after ${c.from} (${after.toISOString()}, packument time), within ${s.quickReleaseHours.rule} (${hours} hours)`,
      s.quickRelease.rule,
      hint(c, 'a fast follow-up release is how a hijacked account ships malware; check the release notes and the diff'),
    ),
  ];
}

function formatGap(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round(ms / 1000);
  if (minutes < 2) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  if (minutes < 60) return `${minutes} minutes`;
  return `${Math.round((minutes / 60) * 10) / 10} hours`;
}
