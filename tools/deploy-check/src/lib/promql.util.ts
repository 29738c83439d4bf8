import { parser } from '@prometheus-io/lezer-promql';

/** Parses a PromQL expression; throws at the first syntax error, with its offset. */
export function parsePromql(expr: string): { metrics: string[] } {
  const metrics: string[] = [];
  let error: number | undefined;
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError && error === undefined) error = node.from;
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') metrics.push(expr.slice(node.from, node.to));
    },
  });
  if (error !== undefined) throw new Error(`PromQL syntax error at ${error}: ${expr.slice(Math.max(0, error - 20), error + 20)}`);
  return { metrics };
}

/** The metric a series name belongs to: a histogram's _bucket, _count and _sum are its own. */
export function metricOf(series: string): string {
  return series.replace(/_(bucket|count|sum)$/, '');
}
