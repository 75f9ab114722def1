/** One row of the bench table: a measured figure next to a raw baseline measured in the same run. */
export interface BenchRow {
  name: string;
  figure: number;
  baselineName: string;
  baseline: number;
  unit: string;
  /**
   * Throughput: true (ratio = figure / baseline). Latency: false (ratio = baseline / figure).
   * Either way a ratio of 1.00 means "as good as the raw baseline" and lower means slower.
   */
  higherIsBetter: boolean;
  /**
   * The ratio to print when it is not figure ÷ baseline: e.g. the median of per-round ratios of
   * interleaved rounds (steadier on a shared machine than the ratio of two medians).
   */
  ratio?: number;
  /** The goal, printed beside the ratio, e.g. ">= 0.70 of baseline". */
  goal?: string;
  note?: string;
}

export interface Benchmark {
  name: string;
  run(): Promise<BenchRow[]>;
}
