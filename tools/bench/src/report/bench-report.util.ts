import type { LoadResult } from '../load/load-spec.type';

export interface ScenarioRow {
  readonly id: number;
  readonly title: string;
  readonly result: LoadResult;
  /** Largest RSS of the server's process (tree) during the measured run, MiB. */
  readonly rssMiB?: number;
  /** Proxied scenarios: what they add over the upstream alone. */
  readonly proxied: boolean;
  readonly note?: string;
}

export interface SkippedScenario {
  readonly id: number;
  readonly title: string;
  readonly reason: string;
}

export interface SteadyRow {
  readonly title: string;
  readonly result: LoadResult;
}

export interface BenchReport {
  readonly heading: string;
  readonly rows: readonly ScenarioRow[];
  readonly skipped: readonly SkippedScenario[];
  readonly steady?: { readonly rate: number; readonly mix: string; readonly direct?: SteadyRow; readonly lgsp: SteadyRow };
}

const SLA_P50_MS = 400;
const SLA_P95_MS = 800;
const ADDED_P99_TARGET_MS = 5;

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : '—');
const errorCell = (r: LoadResult) => `${r.errors} / ${r.non2xx}${Object.keys(r.statuses).length > 0 ? ` (${Object.entries(r.statuses).map(([code, n]) => `${code}×${n}`).join(', ')})` : ''}`;

export function renderReport(report: BenchReport): string {
  const direct = report.rows.find((row) => row.id === 1);
  const bare = report.rows.find((row) => row.id === 2);
  const read = report.rows.find((row) => row.id === 4);
  const lines = [report.heading, ''];
  lines.push('| # | scenario | req/s | p50 ms | p95 ms | p99 ms | added p50 ms | added p99 ms | RSS MiB | vs bare proxy | errors / non-2xx |');
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  const entries = [...report.rows, ...report.skipped].sort((a, b) => a.id - b.id);
  for (const entry of entries) {
    if ('reason' in entry) {
      lines.push(`| ${entry.id} | ${entry.title} | skipped: ${entry.reason} | | | | | | | | |`);
      continue;
    }
    const row = entry;
    const r = row.result;
    const added = (pick: (x: LoadResult) => number) => (row.proxied && direct ? ms(pick(r) - pick(direct.result)) : '—');
    const share = row.proxied && bare ? `${((100 * r.rps) / bare.result.rps).toFixed(0)}%` : '—';
    lines.push(`| ${row.id} | ${row.title} | ${r.rps.toFixed(0)} | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.p99)} | ${added((x) => x.p50)} | ${added((x) => x.p99)} | ${row.rssMiB === undefined ? '—' : row.rssMiB.toFixed(0)} | ${share} | ${errorCell(r)} |`);
  }
  const notes = report.rows.filter((row) => row.note !== undefined).map((row) => `- (${row.id}) ${row.note}`);
  if (notes.length > 0) lines.push('', ...notes);
  if (read && bare) {
    const ratio = (100 * read.result.rps) / bare.result.rps;
    lines.push('', `LGSP read chain (4) / bare proxy (2): **${ratio.toFixed(0)}%** of its throughput — target ≥ 50% now ${ratio >= 50 ? 'met' : 'missed'}, 70% aimed for ${ratio >= 70 ? 'met' : 'not yet'}.`);
  }
  const steady = report.steady;
  if (steady) {
    lines.push('', `Steady rate: ${steady.rate} req/s over all connections, ${steady.mix}.`, '');
    lines.push('| target | req/s | p50 ms | p95 ms | p99 ms | added p99 ms | errors / non-2xx |', '|---|---:|---:|---:|---:|---:|---|');
    for (const row of [steady.direct, steady.lgsp]) {
      if (row === undefined) continue;
      const r = row.result;
      const addedP99 = row === steady.lgsp && steady.direct ? ms(r.p99 - steady.direct.result.p99) : '—';
      lines.push(`| ${row.title} | ${r.rps.toFixed(0)} | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.p99)} | ${addedP99} | ${errorCell(r)} |`);
    }
    const r = steady.lgsp.result;
    if (r.rps < 0.95 * steady.rate) lines.push('', `**LGSP did not hold ${steady.rate} req/s (${r.rps.toFixed(0)}): the machine was saturated, so these percentiles understate the latency at the rate.**`);
    const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
    lines.push('', `SLA p50 < ${SLA_P50_MS} ms: ${verdict(r.p50 < SLA_P50_MS)} (${ms(r.p50)}); p95 < ${SLA_P95_MS} ms: ${verdict(r.p95 < SLA_P95_MS)} (${ms(r.p95)}).`);
    if (steady.direct) {
      const added = r.p99 - steady.direct.result.p99;
      lines.push(`Added p99 ≤ ${ADDED_P99_TARGET_MS} ms at ${steady.rate} req/s: ${verdict(added <= ADDED_P99_TARGET_MS)} (${ms(added)}).`);
    }
  }
  return lines.join('\n') + '\n';
}
