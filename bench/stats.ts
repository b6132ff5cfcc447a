/** Percentiles and formatting for benchmark figures. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/**
 * An event fan-out's figures: p50/p99 over every delivery (`latencies`), and `allP50`, the median over rounds of
 * the time until the last subscriber had the event (`lastPerRound`). Sorts both arrays.
 */
export function deliveryFigures(latencies: number[], lastPerRound: number[]): { p50: number; p99: number; allP50: number } {
  latencies.sort((a, b) => a - b);
  lastPerRound.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), allP50: percentile(lastPerRound, 50) };
}

export function ms(n: number): string {
  return Number.isFinite(n) ? n.toFixed(2) : '–';
}

export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
