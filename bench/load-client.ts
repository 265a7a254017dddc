/**
 * The load generator of the HTTP benchmarks, run in its own process so it does not share the server's event loop:
 * `bench/http.ts` forks it with the test as JSON in argv[2] and receives the figures over IPC.
 * autocannon keeps latencies in whole milliseconds; this records every response time itself (fractional ms), so
 * sub-millisecond routes get meaningful percentiles.
 */
import process from 'node:process';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';

export interface LoadRequest {
  url: string;
  headers: Record<string, string>;
  /** GET unless given; a body is sent as is (JSON bodies: set content-type in headers). */
  method?: 'GET' | 'POST';
  body?: string;
  /** Paths (with query) requested in turn on the url's origin, instead of the url's own path: a mix of queries. */
  paths?: string[];
  connections: number;
  /** Seconds measured. */
  duration: number;
  /** Seconds of load before the measurement, not counted. */
  warmup: number;
}

export interface LoadResult {
  /** 2xx responses per second over the measured window. */
  rps: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  seconds: number;
  latencyMs: { mean: number; p50: number; p90: number; p95: number; p99: number; max: number };
  statusCodes: Record<string, number>;
  /**
   * CPU time spent during the measured window, in ms per 2xx response (bench/common.ts runLoad): the process that
   * started the load (the server, when it runs in-process), PostgreSQL's processes on this machine (null where /proc
   * cannot tell), and this load client. Unlike rates, these hardly move when other tenants slow the machine down.
   */
  cpuMsPerRequest?: { server: number; postgres: number | null; loadClient: number | null };
}

/** The message the client sends its parent when the measured window begins (after the warm-up). */
export const MEASURING = 'measuring';

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** A setupRequest that gives each request the next of `paths`, round robin over all connections. */
function nextPath(paths: string[]) {
  let i = 0;
  return <R extends { path?: string }>(r: R): R => ({ ...r, path: paths[i++ % paths.length]! });
}

/** The Accept-Encoding header Chromium sends with every request. */
export const BROWSER_ACCEPT_ENCODING = 'gzip, deflate, br, zstd';

/** Milliseconds to the microsecond. */
const ms3 = (ms: number) => Math.round(ms * 1000) / 1000;

async function main(): Promise<void> {
  const req = JSON.parse(process.argv[2] ?? '{}') as LoadRequest;
  const base = {
    url: req.url,
    // As a browser asks (Chromium's header): responses over 1 KiB then come compressed, as the web app gets them.
    headers: { 'accept-encoding': BROWSER_ACCEPT_ENCODING, ...req.headers },
    method: req.method ?? 'GET',
    ...(req.body !== undefined ? { body: req.body } : {}),
    ...(req.paths?.length ? { requests: [{ setupRequest: nextPath(req.paths) }] } : {}),
    connections: req.connections,
    pipelining: 1,
    timeout: 30,
  };
  if (req.warmup > 0) await autocannon({ ...base, duration: req.warmup });
  await new Promise<void>((resolve) => process.send!(MEASURING, () => resolve()));

  let times = new Float64Array(1 << 16);
  let n = 0;
  const run = autocannon({ ...base, duration: req.duration });
  run.on('response', (_client, status, _bytes, ms) => {
    if (status < 200 || status >= 300) return;
    if (n === times.length) {
      const bigger = new Float64Array(times.length * 2);
      bigger.set(times);
      times = bigger;
    }
    times[n++] = ms;
  });
  const r = await run;
  const sorted = times.subarray(0, n).sort();
  let sum = 0;
  for (const t of sorted) sum += t;
  const result: LoadResult = {
    rps: Math.round(r.duration > 0 ? r['2xx'] / r.duration : 0),
    requests: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    seconds: r.duration,
    latencyMs: {
      mean: ms3(n ? sum / n : 0),
      p50: ms3(percentile(sorted, 0.5)),
      p90: ms3(percentile(sorted, 0.9)),
      p95: ms3(percentile(sorted, 0.95)),
      p99: ms3(percentile(sorted, 0.99)),
      max: ms3(n ? sorted[n - 1]! : 0),
    },
    statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats).map(([code, s]) => [code, s.count])),
  };
  process.send!(result, () => process.exit(0));
}

// Run when forked (bench/common.ts runLoad), not when imported for its types and constants.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
