import { productionSources, readText, readYaml } from './lib/deploy-files.util';
import { metricOf, parsePromql } from './lib/promql.util';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the parsed rules file, checked field by field
type Rules = any;

/** Series Prometheus makes itself. */
const BUILT_IN = new Set(['up']);

/** GitHub's anchor of a Markdown heading. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

describe('docker/prometheus/alerts.yaml', () => {
  const rules: Rules = readYaml('docker/prometheus/alerts.yaml');
  const all = (rules.groups as Rules[]).flatMap((g) => g.rules as Rules[]);
  const alerts = all.filter((r) => r.alert !== undefined);
  const recorded = new Set(all.filter((r) => r.record !== undefined).map((r) => r.record as string));

  it('has the shape Prometheus loads: named groups of record or alert rules, each alert with severity, summary, description and runbook', () => {
    const names = (rules.groups as Rules[]).map((g) => g.name);
    expect(new Set(names).size).toBe(names.length);
    for (const rule of all) {
      expect(Object.keys(rule).filter((k) => k === 'record' || k === 'alert')).toHaveLength(1);
      expect(typeof rule.expr).toBe('string');
      if (rule.record !== undefined) expect(rule.record).toMatch(/^[a-zA-Z_][a-zA-Z0-9_]*(:[a-zA-Z0-9_]+)+$/);
    }
    for (const alert of alerts) {
      expect([alert.alert, alert.for]).toEqual([alert.alert, expect.stringMatching(/^\d+[smhd]$/)]);
      expect([alert.alert, alert.labels.severity]).toEqual([alert.alert, expect.stringMatching(/^(warning|critical)$/)]);
      expect([alert.alert, Object.keys(alert.annotations).sort()]).toEqual([alert.alert, ['description', 'runbook', 'summary']]);
    }
    expect(new Set(alerts.map((a) => a.alert)).size).toBe(alerts.length);
  });

  it('covers the ledger, the outbox, circuits, the Redis fallback, both SLOs and certificate and CRL expiry', () => {
    const exprs = alerts.map((a) => a.expr as string).join('\n');
    for (const metric of ['lgsp_ledger_backlog_records', 'lgsp_ledger_shipping_lag_seconds', 'lgsp_ledger_outbox_dropped_total', 'lgsp_upstream_circuit_state', 'lgsp_throttle_redis_degraded', 'lgsp:gateway_http_errors:ratio_rate1h', 'lgsp:gateway_http_slow:ratio_rate1h', 'lgsp_certificate_expiry_timestamp_seconds', 'lgsp_crl_next_update_timestamp_seconds']) {
      expect([metric, exprs.includes(metric)]).toEqual([metric, true]);
    }
    expect(all.find((r) => r.record === 'lgsp:gateway_http_slow:ratio_rate5m').expr).toMatch(/le="0\.8"/);
  });

  it('parses every expression with the PromQL grammar, and a broken one fails', () => {
    for (const rule of all) expect(() => parsePromql(rule.expr)).not.toThrow();
    expect(() => parsePromql('sum(rate(lgsp_http_requests_total[5m])')).toThrow(/syntax error/);
    expect(() => parsePromql('max by (origin) lgsp_upstream_circuit_state) == 2')).toThrow(/syntax error/);
  });

  it('names only metrics the code exports, or series a rule of the file records', () => {
    const sources = productionSources().map((f) => f.text).join('\n');
    const missing = new Set<string>();
    for (const rule of all) {
      for (const series of parsePromql(rule.expr).metrics) {
        const metric = metricOf(series);
        if (!recorded.has(series) && !BUILT_IN.has(metric) && !sources.includes(`'${metric}'`)) missing.add(metric);
      }
    }
    expect([...missing]).toEqual([]);
    expect(sources.includes(`'lgsp_no_such_metric'`)).toBe(false);
  });

  it('points every runbook at a section of docs/operations.md', () => {
    const headings = new Set([...readText('docs/operations.md').matchAll(/^#{2,4} (.+)$/gm)].map((m) => anchorOf(m[1])));
    const broken = alerts.filter((a) => !headings.has(String(a.annotations.runbook).replace(/^docs\/operations\.md#/, '')) || !String(a.annotations.runbook).startsWith('docs/operations.md#'));
    expect(broken.map((a) => a.alert)).toEqual([]);
  });
});
