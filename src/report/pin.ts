/**
 * A gate that cannot lose coverage quietly. Every run that passes records the outcome of each cell it
 * judged, per contract and target (reports/history/coverage-pin.json, kept between runs like the Allure
 * history). With PIN_COVERAGE=1, a cell that passed in the recorded run and is now not covered, skipped or
 * not provoked (or gone) fails the run, naming it; MIN_PASSED sets a floor on passed responses and flows.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CoverageMatrix } from './coverage';
import type { Outcome } from './verdict';

interface PinFile {
  version: 1;
  targets: Record<string, { at: string; outcomes: Record<string, Outcome> }>;
}

export interface CoverageLoss {
  target: string;
  key: string;
  /** When the recorded run was. */
  since: string;
  now: Outcome | 'gone';
}

const pinKey = (title: string, target: string) => `${title}\u0000${target}`;

function read(file: string): PinFile {
  if (!existsSync(file)) return { version: 1, targets: {} };
  try {
    const pin = JSON.parse(readFileSync(file, 'utf8')) as PinFile;
    return pin.version === 1 && pin.targets ? pin : { version: 1, targets: {} };
  } catch {
    return { version: 1, targets: {} };
  }
}

/** Cells that passed in the recorded run of their target and now are judged without passing, or are gone from the contract. */
export function coverageLosses(file: string, m: CoverageMatrix): CoverageLoss[] {
  const pin = read(file);
  const losses: CoverageLoss[] = [];
  for (const t of m.targets) {
    const recorded = pin.targets[pinKey(m.contract.title, t.name)];
    if (!recorded) continue;
    const now = new Map(m.cells.filter((c) => c.target === t.name).map((c) => [c.key, c.outcome]));
    for (const [key, was] of Object.entries(recorded.outcomes)) {
      if (was !== 'passed') continue;
      const outcome = now.get(key);
      // A cell the selection leaves out this time is not judged, so not lost; a failed one fails the run already.
      if (outcome === 'filtered' || outcome === 'passed' || outcome === 'failed') continue;
      losses.push({ target: t.name, key, since: recorded.at, now: outcome ?? 'gone' });
    }
  }
  return losses;
}

/** Records what a passing run judged; what it did not select keeps its recorded outcome. */
export function recordCoverage(file: string, m: CoverageMatrix, at: string): void {
  const pin = read(file);
  for (const t of m.targets) {
    const key = pinKey(m.contract.title, t.name);
    const outcomes = { ...pin.targets[key]?.outcomes };
    for (const c of m.cells) if (c.target === t.name && c.outcome !== 'filtered') outcomes[c.key] = c.outcome;
    pin.targets[key] = { at, outcomes };
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(pin, null, 2)}\n`);
}

/** Passed documented responses and flows, per target: what MIN_PASSED is a floor for. */
export function passedCount(m: CoverageMatrix, target: string): number {
  return m.cells.filter((c) => c.target === target && c.kind !== 'generated' && c.outcome === 'passed').length;
}

/** PIN_COVERAGE and MIN_PASSED applied to a matrix: what lost coverage against the record, and floors not met. */
export function applyGate(file: string, m: CoverageMatrix, pin: { coverage: boolean; minPassed: number }): void {
  if (pin.coverage) {
    const lost = coverageLosses(file, m);
    if (lost.length) m.coverageLost = lost;
  }
  if (pin.minPassed > 0) {
    const below = m.targets.map((t) => ({ target: t.name, passed: passedCount(m, t.name), floor: pin.minPassed })).filter((b) => b.passed < b.floor);
    if (below.length) m.belowFloor = below;
  }
}
