import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';

/** Where a figure was measured: the embedded default (PGlite + memory store) or PostgreSQL + Redis. */
export type Backend = 'embedded' | 'services';

/** One measured figure beside the baseline measured in the same run (null where none applies). */
export interface Figure {
  /** Stable snake_case name with its unit, e.g. `turn_overhead_p99_ms`. */
  name: string;
  value: number;
  unit: string;
  /** What the value is compared with, measured in the same run (the same unit). */
  baseline: number | null;
  baselineName?: string;
  /** value / baseline, when both are known. */
  ratio: number | null;
  backend: Backend | null;
  bench: string;
  note?: string;
}

export type FigureInput = Omit<Figure, 'ratio' | 'backend' | 'bench' | 'baseline'> & {
  baseline?: number | null;
};

/** What run.ts hands each bench: the backend to measure on and where to report figures. */
export interface BenchContext {
  backend: Backend;
  /** PostgreSQL admin URL and Redis URL, when the backend is `services`. */
  services: { pgAdminUrl: string; redisUrl: string };
  report(figure: FigureInput): void;
  log(line: string): void;
}

/**
 * A bench module: `default` runs it once per backend it lists in `backends` (absent: once, with the
 * first reachable backend; a bench that only prints reports nothing and still runs).
 */
export interface BenchModule {
  default: (ctx: BenchContext) => Promise<void>;
  backends?: readonly Backend[];
}

export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function round(value: number, digits = 2): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function machine() {
  const cpu = cpus();
  return {
    cpus: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    memoryGb: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

export function commit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      encoding: 'utf8',
    });
    return dirty.trim() ? `${sha}-dirty` : sha;
  } catch {
    return 'unknown';
  }
}

function cell(value: number | null, unit = ''): string {
  if (value === null || Number.isNaN(value)) return '–';
  const abs = Math.abs(value);
  const text = abs >= 100 ? value.toFixed(0) : abs >= 10 ? value.toFixed(1) : value.toFixed(2);
  return unit ? `${text} ${unit}` : text;
}

/** The table printed at the end of a run (and pasted into the README). */
export function figureTable(figures: readonly Figure[]): string {
  const rows = figures.map((f) => [
    f.name,
    f.backend ?? '–',
    cell(f.value, f.unit),
    f.baseline === null ? '–' : `${cell(f.baseline, f.unit)}${f.baselineName ? ` (${f.baselineName})` : ''}`,
    f.ratio === null ? '–' : `${cell(f.ratio)}×`,
  ]);
  const head = ['figure', 'backend', 'value', 'baseline (same run)', 'ratio'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** The README's table of `latest.json`: one Markdown row per figure, with its bench and note. */
export function readmeTable(figures: readonly Figure[]): string {
  const rows = figures.map((f) =>
    [
      f.bench,
      `\`${f.name}\``,
      f.backend ?? '–',
      cell(f.value, f.unit),
      f.baseline === null
        ? '–'
        : `${cell(f.baseline, f.unit)}${f.baselineName ? ` (${f.baselineName})` : ''}`,
      f.ratio === null ? '–' : `${cell(f.ratio)}×`,
      f.note ?? '',
    ].join(' | '),
  );
  return [
    '| bench | figure | backend | value | baseline (same run) | ratio | note |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r} |`),
  ].join('\n');
}

export function toFigure(input: FigureInput, bench: string, backend: Backend | null): Figure {
  const baseline = input.baseline ?? null;
  return {
    ...input,
    value: round(input.value, 3),
    baseline: baseline === null ? null : round(baseline, 3),
    ratio: baseline ? round(input.value / baseline, 3) : null,
    backend,
    bench,
  };
}
