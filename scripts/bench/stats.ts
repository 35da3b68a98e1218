/** Summaries of repeated measurements: every figure the bench prints is a median with its min and max. */

export interface Stat {
  median: number;
  min: number;
  max: number;
  /** How many measurements the figure summarises. */
  n: number;
}

export function summarize(samples: number[]): Stat {
  if (samples.length === 0) throw new Error('no samples to summarise');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  // Even counts take the mean of the two middle values (the usual median), not the lower one.
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, n: sorted.length };
}

/** Collects named series of samples, one value per series and round. */
export class Samples {
  private readonly series = new Map<string, number[]>();

  add(name: string, value: number): void {
    const list = this.series.get(name) ?? [];
    list.push(value);
    this.series.set(name, list);
  }

  stat(name: string): Stat {
    const list = this.series.get(name);
    if (!list) throw new Error(`no samples named ${name}`);
    return summarize(list);
  }
}
