// @ts-expect-error the package ships no types; its output is described below.
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

interface Sample {
  labels?: Record<string, string>;
  value?: string;
}

/** A scrape, parsed by a Prometheus text-format parser (not by our own code): samples by metric name; and its text. */
export type Scrape = Map<string, { type: string; samples: Sample[] }> & { text: string };

export async function scrape(metricsUrl: string): Promise<Scrape> {
  const response = await fetch(metricsUrl);
  if (response.status !== 200) throw new Error(`GET ${metricsUrl}: ${response.status}`);
  if (!/^text\/plain; version=0\.0\.4/.test(response.headers.get('content-type') ?? '')) throw new Error(`not the Prometheus text format: ${response.headers.get('content-type')}`);
  const text = await response.text();
  const families = parsePrometheusTextFormat(text) as { name: string; type: string; metrics: Sample[] }[];
  return Object.assign(new Map(families.map((family) => [family.name, { type: family.type.toLowerCase(), samples: family.metrics }])), { text });
}

/**
 * A histogram's observation count over the series whose labels include `labels`. The parser keeps
 * only the buckets of a labelled histogram (parse-prometheus-text-format 1.1.1), so its `_count`
 * series are read from the text, which the parser has already accepted as a whole.
 */
export function observations(metrics: Scrape, name: string, labels: Record<string, string> = {}): number {
  if (metrics.get(name)?.type !== 'histogram') return 0;
  let total = 0;
  for (const [, labelText, count] of metrics.text.matchAll(new RegExp(`^${name}_count(?:\\{(.*)\\})? (\\S+)$`, 'gm'))) {
    const has = Object.entries(labels).every(([key, wanted]) => (labelText ?? '').split(',').includes(`${key}=${JSON.stringify(wanted)}`));
    if (has) total += Number(count);
  }
  return total;
}

/** The sum over the series of a counter or gauge whose labels include `labels`; 0 when none matches yet (a counter not yet incremented is absent). */
export function value(metrics: Scrape, name: string, labels: Record<string, string> = {}): number {
  const family = metrics.get(name);
  if (!family) return 0;
  return family.samples
    .filter((sample) => Object.entries(labels).every(([key, wanted]) => sample.labels?.[key] === wanted))
    .reduce((total, sample) => total + Number(sample.value ?? 0), 0);
}
