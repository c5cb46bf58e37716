// minReleaseAge: a version must have been public for N days, judged by the transparency log's signed
// time where there is one, else by the packument's unsigned `time`. No time at all fails closed.
import type { PackageEvidence } from '../verify/index.js';
import { releaseTimeOf } from './evidence.js';
import { approveHint, daysBetween, finding, formatDate, label } from './findings.js';
import type { Settings } from './match.js';
import type { Finding } from './report.js';

const DAY_MS = 86_400_000;

export function releaseAgeFindings(e: PackageEvidence, settings: Settings, now: Date): Finding[] {
  const { value: minDays, rule } = settings.minReleaseAge;
  if (minDays <= 0) return [];
  const { name, version } = e.ref;
  const id = label(name, version);
  const released = releaseTimeOf(e);
  if (!released) {
    return [
      finding(
        'RELEASE_TOO_NEW',
        'deny',
        `${id} has no release time (no transparency-log entry and no packument time), so ${rule} (${plural(minDays, 'day')}) cannot be shown to hold`,
        rule,
        approveHint(name, version),
      ),
    ];
  }
  const age = now.getTime() - released.time.getTime();
  if (age >= minDays * DAY_MS) return [];
  const ready = new Date(released.time.getTime() + minDays * DAY_MS);
  return [
    finding(
      'RELEASE_TOO_NEW',
      'deny',
      `${id} was released ${released.time > now ? 'in the future' : `${ageWords(released.time, now)} ago`} (${formatDate(released.time)}, by the ${released.source}); ${rule} requires ${plural(minDays, 'day')}`,
      rule,
      `wait until ${formatDate(ready)}, or ${approveHint(name, version)}`,
    ),
  ];
}

/** How long before `now`, in the unit a reader wants: minutes within the hour, hours within two days, else days. */
function ageWords(released: Date, now: Date): string {
  const ms = now.getTime() - released.getTime();
  if (ms < 3_600_000) return plural(Math.max(1, Math.floor(ms / 60_000)), 'minute');
  if (ms < 2 * DAY_MS) return plural(Math.floor(ms / 3_600_000), 'hour');
  return plural(daysBetween(released, now), 'day');
}

const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'}`;
