/**
 * Provisioning over HTTP (issue 15): configuration fetches per second with authentication, p50/p99.
 *
 * `hometel start` in its own process (phones, provisioning, the web server on loopback, info logging: one log line
 * per fetch), DEVICES Yealink devices enrolled to one extension. Clients on keep-alive connections (node:http, one
 * connection each) fetch `{mac}.cfg` of a device in turn, closed loop, CONCURRENCY in flight, 5 s per row:
 * - "challenge + fetch": what curl --digest and a phone booting do — GET → 401 with the challenge → GET with
 *   Digest (SHA-256, qop=auth) → 200; timed from the first GET to the file;
 * - "nonce reused": a client that keeps the nonce sends Digest at once (nc counting up): GET → 200.
 * CPU is hometel's process's CPU time over the row's wall time, in % of one core.
 * `npm run bench:provisioning-http` prints the section and replaces it in docs/benchmarks.md.
 */
import { request, Agent } from 'node:http';
import { readFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { digestAuthorization, parseChallenge, type DigestChallenge } from '../src/base/index.js';
import { startProvisioningHome } from '../test/support/provisioning-home.js';
import { cpuTicks, USER_HZ } from './proc-stat.js';
import { replaceSection } from './doc-section.js';
import { ms, percentile, table } from './stats.js';

const devices = Number(process.env.BENCH_PROVISIONING_DEVICES ?? 50);
const durationMs = Number(process.env.BENCH_DURATION_MS ?? 5000);
const concurrencies = [1, 8, 32];
const heading = '## Provisioning: configuration files over HTTP with Digest';
const userAgent = 'Yealink SIP-T46S 66.86.0.15';

interface Answer {
  readonly status: number;
  readonly challenge?: string;
}

function get(agent: Agent, url: URL, authorization?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { 'user-agent': userAgent, ...(authorization ? { authorization } : {}) } }, (res) => {
      res.resume();
      res.on('end', () => {
        const www: string | string[] | undefined = res.headers['www-authenticate'];
        // node joins repeated headers with ", ": the first challenge (SHA-256) is the part before the next "Digest".
        const first = (typeof www === 'string' ? www : www?.[0])?.split(/, (?=Digest )/)[0];
        resolve({ status: res.statusCode ?? 0, ...(first ? { challenge: first } : {}) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

interface Row {
  readonly mode: string;
  readonly concurrency: number;
  readonly done: number;
  readonly failed: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpu: number;
}

async function cpuOf(pid: number): Promise<number> {
  return cpuTicks(await readFile(`/proc/${pid}/stat`, 'utf8'));
}

async function run(): Promise<Row[]> {
  const home = await startProvisioningHome('hometel-bench-prov-');
  try {
    const macs = Array.from({ length: devices }, (_, i) => `001565${i.toString(16).padStart(6, '0')}`);
    const secrets = macs.map((m) => home.enroll(m, 'yealink'));
    const pid = home.hometel.child.pid!;
    const rows: Row[] = [];
    for (const mode of ['challenge + fetch', 'nonce reused'] as const) {
      for (const concurrency of concurrencies) {
        const latencies: number[] = [];
        let failed = 0;
        let next = 0;
        const end = Date.now() + durationMs;
        const cpu0 = await cpuOf(pid);
        const t0 = Date.now();
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            const agent = new Agent({ keepAlive: true, maxSockets: 1 });
            let kept: DigestChallenge | undefined;
            let nc = 0;
            while (Date.now() < end) {
              const i = next++ % devices;
              const path = `/provisioning/${macs[i]}.cfg`;
              const url = new URL(path, home.base);
              const start = performance.now();
              let challenge = mode === 'nonce reused' ? kept : undefined;
              if (!challenge) {
                const first = await get(agent, url);
                challenge = first.challenge ? parseChallenge(first.challenge) : undefined;
                nc = 0;
                if (first.status !== 401 || !challenge) {
                  failed++;
                  continue;
                }
              }
              const authorization = digestAuthorization({ challenge, method: 'GET', uri: path, username: macs[i]!, password: secrets[i]!, nc: ++nc });
              const r = await get(agent, url, authorization);
              if (r.status === 200) {
                latencies.push(performance.now() - start);
                kept = challenge;
              } else {
                failed++;
                kept = undefined;
              }
            }
            agent.destroy();
          }),
        );
        const wall = (Date.now() - t0) / 1000;
        const cpu = ((await cpuOf(pid)) - cpu0) / USER_HZ / wall;
        latencies.sort((a, b) => a - b);
        rows.push({ mode, concurrency, done: latencies.length, failed, perSecond: latencies.length / wall, p50: percentile(latencies, 50), p99: percentile(latencies, 99), cpu: cpu * 100 });
      }
    }
    return rows;
  } finally {
    await home.stop();
  }
}

function section(rows: readonly Row[]): string {
  return `${heading}

bench/provisioning-http.ts: \`hometel start\` (its own process; phones, provisioning, the web server on loopback, info
logging: one log line per fetch) with ${devices} Yealink devices enrolled; keep-alive clients (node:http, one
connection each) fetch the devices' \`{mac}.cfg\` in turn, closed loop, \`concurrency\` in flight, ${durationMs / 1000} s per row.
"challenge + fetch" is what \`curl --digest\` and a booting phone do: GET → 401 → GET with Digest (SHA-256,
qop=auth) → 200, timed from the first GET to the file. "nonce reused" sends Digest at once with the nonce of an
earlier challenge (nc counting up): one GET → 200. Every fetch renders the file from the template (a user template is
looked for each time), reads the device, records the fetch in SQLite and logs a line. CPU is hometel's process's CPU
time over the row's wall time, in % of one core. ${cpus().length} cores (${cpus()[0]?.model.trim() ?? ''}), Node ${process.versions.node},
${new Date().toISOString().slice(0, 10)}; 1-minute load average ${loadavg()[0]!.toFixed(1)} at the end. The machine is shared with other work:
compare rows of the same run.

${table(
  ['mode', 'concurrency', 'fetches', 'failed', 'per second', 'p50 ms', 'p99 ms', 'CPU %'],
  rows.map((r) => [r.mode, String(r.concurrency), String(r.done), String(r.failed), r.perSecond.toFixed(0), ms(r.p50), ms(r.p99), r.cpu.toFixed(0)]),
)}
`;
}

const text = section(await run());
console.log(text);
await replaceSection(heading, text);
process.exit(0);
