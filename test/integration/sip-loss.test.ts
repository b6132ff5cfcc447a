/**
 * Acceptance test 4 of the SIP line: calls complete over UDP with 20 % packet loss in each direction.
 *
 * Two network namespaces joined by a veth pair (hometel-<pid>-a/b, 10.233.<n>.1/30 and .2/30 — these
 * addresses exist only inside the namespaces), 20 % loss applied at both ends. In namespace a the Telephony
 * Server over a SipLine (test/support/sip-line-process.ts, RFC 3261 default timers) places 20 Calls, one every
 * 250 ms, to two SIPp UASes in namespace b: half are hung up by SIPp (its BYE), half by hometel (StopCall → our BYE).
 *
 * The loss: `tc qdisc add dev <veth> root netem loss 20%` on both veths. Where the kernel has no netem
 * (CONFIG_NET_SCH_NETEM off and no module, as on this project's 6.18 build machine: tc answers
 * "Error: Specified qdisc kind is unknown."), the same loss is made with nftables instead: a netdev ingress
 * rule `meta protocol ip numgen random mod 100 < 20 drop` on both veths (Debian package nftables). Both drop
 * silently — the sender sees no error — 20 % of the IP packets each way. ARP entries are made permanent so
 * that only SIP datagrams are lost. The test says which one it used (diagnostic).
 *
 * Needs root (it is run as root). The namespaces are deleted in t.after, whatever happened.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { runSipLineProcess, type PlannedCall, type SipLineCallOutcome } from '../support/sip-line-process.js';
import { hasExited, makeTempDir, OutputTail, terminate, trackChild } from '../support/children.js';
import { sippAvailable } from '../support/sipp.js';

const LOSS_PERCENT = 20;
const CALLS = 20;
const INTERVAL_MS = 250;
/** Calls not over by then are failures (the last Call starts at ~5 s; see the bound below). */
const DEADLINE_MS = 50_000;

const ns = { a: `hometel-${process.pid}-a`, b: `hometel-${process.pid}-b` };
const veth = { a: `ht${process.pid}a`, b: `ht${process.pid}b` };
const subnet = `10.233.${process.pid % 256}`;
const addr = { a: `${subnet}.1`, b: `${subnet}.2` };

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command (no shell); resolves with its exit code and output, never rejects. */
function run(cmd: string, args: readonly string[], input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', (e) => resolve({ code: -1, stdout, stderr: `${stderr}${e.message}` }));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    if (input !== undefined) {
      child.stdin!.on('error', () => undefined); // a command that exits without reading
      child.stdin!.end(input);
    }
  });
}

async function must(cmd: string, args: readonly string[], input?: string): Promise<string> {
  const r = await run(cmd, args, input);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

/** The veth pair, addressed, up, with permanent neighbour entries both ways. */
async function createNamespaces(): Promise<void> {
  await must('ip', ['netns', 'add', ns.a]);
  await must('ip', ['netns', 'add', ns.b]);
  await must('ip', ['link', 'add', veth.a, 'type', 'veth', 'peer', 'name', veth.b]);
  for (const side of ['a', 'b'] as const) {
    await must('ip', ['link', 'set', veth[side], 'netns', ns[side]]);
    await must('ip', ['-n', ns[side], 'addr', 'add', `${addr[side]}/30`, 'dev', veth[side]]);
    await must('ip', ['-n', ns[side], 'link', 'set', 'lo', 'up']);
    await must('ip', ['-n', ns[side], 'link', 'set', veth[side], 'up']);
  }
  const mac = async (side: 'a' | 'b'): Promise<string> => {
    const [link] = JSON.parse(await must('ip', ['-n', ns[side], '-j', 'link', 'show', 'dev', veth[side]])) as Array<{ address: string }>;
    return link!.address;
  };
  const macs = { a: await mac('a'), b: await mac('b') };
  await must('ip', ['-n', ns.a, 'neigh', 'replace', addr.b, 'lladdr', macs.b, 'dev', veth.a, 'nud', 'permanent']);
  await must('ip', ['-n', ns.b, 'neigh', 'replace', addr.a, 'lladdr', macs.a, 'dev', veth.b, 'nud', 'permanent']);
}

async function deleteNamespaces(): Promise<void> {
  // Deleting a namespace deletes its end of the veth, and with it the pair.
  for (const name of [ns.a, ns.b]) await run('ip', ['netns', 'delete', name]);
  await run('ip', ['link', 'delete', veth.a]); // only if it never moved into its namespace
}

/** 20 % loss at both ends: netem when the kernel has it, else an nftables rule. Returns how. */
async function applyLoss(): Promise<{ how: string; dropped: () => Promise<number> }> {
  if (existsSync('/usr/sbin/modprobe') || existsSync('/sbin/modprobe')) await run('modprobe', ['sch_netem']);
  const netem = await run('ip', ['netns', 'exec', ns.a, 'tc', 'qdisc', 'add', 'dev', veth.a, 'root', 'netem', 'loss', `${LOSS_PERCENT}%`]);
  if (netem.code === 0) {
    await must('ip', ['netns', 'exec', ns.b, 'tc', 'qdisc', 'add', 'dev', veth.b, 'root', 'netem', 'loss', `${LOSS_PERCENT}%`]);
    return {
      how: `tc netem loss ${LOSS_PERCENT}% on both veths`,
      dropped: async () => {
        let n = 0;
        for (const side of ['a', 'b'] as const) {
          const out = await must('ip', ['netns', 'exec', ns[side], 'tc', '-s', 'qdisc', 'show', 'dev', veth[side]]);
          n += Number(/dropped (\d+)/.exec(out)?.[1] ?? 0);
        }
        return n;
      },
    };
  }
  const why = `tc qdisc add dev ${veth.a} root netem loss ${LOSS_PERCENT}% failed (exit ${netem.code}): ${netem.stderr.trim()}`;
  if (!existsSync('/usr/sbin/nft')) {
    throw new Error(`${why}; the nftables fallback needs /usr/sbin/nft (Debian package "nftables"), which is not installed`);
  }
  for (const side of ['a', 'b'] as const) {
    const rules =
      `table netdev hometel_loss {\n  chain ingress {\n    type filter hook ingress device "${veth[side]}" priority 0; policy accept;\n` +
      `    meta protocol ip numgen random mod 100 < ${LOSS_PERCENT} counter drop\n  }\n}\n`;
    await must('ip', ['netns', 'exec', ns[side], 'nft', '-f', '-'], rules);
  }
  return {
    how: `nftables (netem unavailable: ${why}): ingress "numgen random mod 100 < ${LOSS_PERCENT} drop" on both veths`,
    dropped: async () => {
      let n = 0;
      for (const side of ['a', 'b'] as const) {
        const out = await must('ip', ['netns', 'exec', ns[side], 'nft', 'list', 'table', 'netdev', 'hometel_loss']);
        n += Number(/counter packets (\d+)/.exec(out)?.[1] ?? 0);
      }
      return n;
    },
  };
}

/**
 * The UAS scenarios SIPp plays in namespace b, written for loss. test/peers/sipp/uas-answer.xml is not:
 * SIPp 3.6.1 re-answers a retransmitted request only with the first message it sent after receiving it,
 * and only while no later message of its own is being retransmitted — after 100, 180 and a retransmitted
 * 200, a retransmission of our INVITE (all three responses lost) aborts the call there ("Aborting call on
 * unexpected message … while expecting 'ACK'"). So here:
 *  - the INVITE is answered 200 at once (no 100/180), so that a retransmitted INVITE gets the 200 again
 *    (RFC 3261 13.3.1.4: the UAS core resends its 2xx);
 *  - `hangup: 'sipp'`: SIPp sends BYE 300 ms after the ACK;
 *  - `hangup: 'peer'`: SIPp waits for our BYE, which may overtake the ACK of a retransmitted 200 (the ACK
 *    is optional then), and stays in timewait for 64·T1 + 1 s, so that it answers every retransmission of
 *    our BYE with its 200 again.
 * With -max_invite_retrans / -max_non_invite_retrans 10, SIPp sends its 200 and its BYE up to 10 times over
 * ~28 s, close to what RFC 3261's Timers G/H and E/F make a UAS and a UAC do (11 times in 32 s).
 */
function uasScenario(hangup: 'sipp' | 'peer'): string {
  const tail =
    hangup === 'sipp'
      ? `<recv request="ACK"/>
  <pause milliseconds="300"/>
  <send retrans="500"><![CDATA[

      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: [$local_to];tag=[pid]SIPpTag01[call_number]
      To: [$remote_from]
      Call-ID: [call_id]
      CSeq: [cseq] BYE
      Max-Forwards: 70
      Content-Length: 0

  ]]></send>
  <recv response="200"/>
  <timewait milliseconds="200"/>`
      : `<recv request="ACK" optional="true"/>
  <recv request="BYE"/>
  <send><![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

  ]]></send>
  <timewait milliseconds="33000"/>`;
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="hometel uas-answer under loss, ${hangup} hangs up">
  <recv request="INVITE" rrs="true">${
    hangup === 'sipp'
      ? `
    <action>
      <ereg regexp=".*" search_in="hdr" header="From:" assign_to="remote_from"/>
      <ereg regexp=".*" search_in="hdr" header="To:" assign_to="local_to"/>
    </action>
  `
      : ''
  }</recv>
  <send retrans="500"><![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[service]@[local_ip]:[local_port];transport=[transport]>
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=sipp 1 1 IN IP[local_ip_type] [local_ip]
      s=sipp
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0 8
      a=rtpmap:0 PCMU/8000
      a=rtpmap:8 PCMA/8000

  ]]></send>
  ${tail}
</scenario>
`;
}

interface SippInNs {
  pid: number;
  stop(): Promise<{ code: number | null; stats: Record<string, string>; stderr: string }>;
}

/** SIPp as a UAS in namespace b on addr.b:port (runSipp binds 127.0.0.1 only, hence this small spawn). */
async function startSippInB(hangup: 'sipp' | 'peer', port: number, workDir: string): Promise<SippInNs> {
  const scenarioFile = path.join(workDir, `uas-${hangup}.xml`);
  await writeFile(scenarioFile, uasScenario(hangup));
  const stat = path.join(workDir, `stat-${port}.csv`);
  const args = [
    'netns', 'exec', ns.b, '/usr/bin/sipp',
    '-sf', scenarioFile, '-i', addr.b, '-mi', addr.b, '-bind_local', '-p', String(port), '-t', 'u1', '-s', 'service', '-nostdin',
    '-max_invite_retrans', '10', '-max_non_invite_retrans', '10',
    ...(process.env.HOMETEL_KEEP_PEER_LOGS ? ['-trace_msg', '-message_file', path.join(workDir, `messages-${port}.log`)] : []),
    '-trace_stat', '-stf', stat, '-fd', '1', '-trace_err', '-error_file', path.join(workDir, `errors-${port}.log`),
  ];
  // `ip netns exec` execs SIPp in place: the child's PID is SIPp's.
  const child = spawn('ip', args, { cwd: workDir, stdio: ['ignore', 'ignore', 'pipe'] });
  trackChild(child);
  const stderr = new OutputTail(child.stderr);
  const deadline = Date.now() + 5_000;
  const wanted = `:${port.toString(16).toUpperCase().padStart(4, '0')} `;
  for (;;) {
    if (hasExited(child)) throw new Error(`SIPp exited (code ${child.exitCode}) before listening on ${addr.b}:${port}\nsipp ${args.slice(3).join(' ')}\n${stderr.toString()}`);
    const table = await readFile(`/proc/${child.pid}/net/udp`, 'utf8').catch(() => '');
    if (table.includes(wanted)) break;
    if (Date.now() > deadline) throw new Error(`SIPp not listening on ${addr.b}:${port} after 5 s\n${stderr.toString()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    pid: child.pid!,
    async stop() {
      await terminate(child, 3_000);
      const csv = (await readFile(stat, 'utf8').catch(() => '')).trim().split('\n');
      const header = csv[0]?.split(';') ?? [];
      const row = csv.at(-1)?.split(';') ?? [];
      const stats: Record<string, string> = {};
      header.forEach((h, i) => {
        if (h) stats[h] = row[i] ?? '';
      });
      return { code: child.exitCode, stats, stderr: stderr.toString() };
    },
  };
}

function sum(outcomes: readonly SipLineCallOutcome[], pick: (o: SipLineCallOutcome) => number): number {
  return outcomes.reduce((n, o) => n + pick(o), 0);
}

test(`SIP line over UDP with ${LOSS_PERCENT}% loss each way: answered Calls reach Connected and end cleanly`, { timeout: 85_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'this test creates network namespaces and needs root');
  sippAvailable();
  const workDir = await makeTempDir('hometel-sip-loss-');
  const sipps: SippInNs[] = [];
  // Registered before anything is created, so that a failure half-way still cleans up.
  t.after(async () => {
    for (const s of sipps) await s.stop().catch(() => undefined);
    await deleteNamespaces();
    if (!process.env.HOMETEL_KEEP_PEER_LOGS) await rm(workDir, { recursive: true, force: true });
    else t.diagnostic(`peer logs kept in ${workDir}`);
  });

  await createNamespaces();
  const loss = await applyLoss();
  t.diagnostic(`loss: ${loss.how}`);

  // 5060: SIPp hangs up 300 ms after the ACK (its BYE, our 200); 5062: waits for our BYE.
  sipps.push(await startSippInB('sipp', 5060, workDir));
  sipps.push(await startSippInB('peer', 5062, workDir));

  const calls: PlannedCall[] = Array.from({ length: CALLS }, (_, i) =>
    i % 2 === 0 ? { callee: `sip:r${i}@${addr.b}:5060`, hangup: 'remote' } : { callee: `sip:h${i}@${addr.b}:5062`, hangup: 'hometel', holdMs: 300 },
  );
  const result = await runSipLineProcess(
    { host: addr.a, port: 5060, calls, intervalMs: INTERVAL_MS, deadlineMs: DEADLINE_MS },
    { prefix: ['ip', 'netns', 'exec', ns.a], timeoutMs: DEADLINE_MS + 15_000 },
  );
  const dropped = await loss.dropped();
  const sippResults = [];
  for (const s of sipps.splice(0)) sippResults.push(await s.stop());

  const outcomes = result.calls;
  const failed = outcomes.filter((o) => !o.ok);
  const sent = (o: SipLineCallOutcome, m: string): number => o.sip.sent[m] ?? 0;
  const received = (o: SipLineCallOutcome, m: string): number => o.sip.received[m] ?? 0;
  const connected = outcomes.map((o) => o.connectedMs).filter((v): v is number => v !== undefined).sort((x, y) => x - y);
  t.diagnostic(
    `${outcomes.filter((o) => o.ok).length}/${CALLS} Calls ok in ${Math.round(result.done?.elapsedMs ?? NaN)} ms; ` +
      `${dropped} packets dropped; INVITEs sent ${sum(outcomes, (o) => sent(o, 'INVITE'))} for ${CALLS} Calls, ` +
      `ACKs ${sum(outcomes, (o) => sent(o, 'ACK'))}, our BYEs ${sum(outcomes, (o) => sent(o, 'BYE'))} for ${CALLS / 2}, ` +
      `SIPp's BYEs received ${sum(outcomes, (o) => received(o, 'BYE'))} for ${CALLS / 2} (each Call counted until it was over); ` +
      `StartCall → Connected min ${connected[0]?.toFixed(0)} ms, median ${connected[Math.floor(connected.length / 2)]?.toFixed(0)} ms, max ${connected.at(-1)?.toFixed(0)} ms`,
  );
  for (const [i, r] of sippResults.entries()) {
    t.diagnostic(`SIPp UAS ${i === 0 ? '5060 (SIPp hangs up)' : '5062 (hometel hangs up)'}: successful ${r.stats['SuccessfulCall(C)']}, failed ${r.stats['FailedCall(C)']}, retransmissions ${r.stats['Retransmissions(C)']}`);
  }
  for (const o of failed) t.diagnostic(`call ${o.index} (${o.hangup} hangs up) not ok: ${o.problem} ${JSON.stringify(o.sip)}`);

  const report = `\n${JSON.stringify(outcomes, null, 1)}\n--- sip-line-process stderr ---\n${result.stderr}`;
  assert.equal(outcomes.length, CALLS, `an outcome for every planned Call${report}`);
  assert.ok(dropped > 0, 'the loss was applied (packets were dropped)');
  assert.ok(
    sum(outcomes, (o) => sent(o, 'INVITE') + sent(o, 'BYE')) + sum(outcomes, (o) => received(o, 'BYE')) > CALLS * 2,
    `retransmissions happened (the loss hit SIP messages)${report}`,
  );
  // What RFC 3261's timers guarantee here (T1 = 500 ms, T2 = 4 s, loss p = 0.2 each way, independent):
  //  - The INVITE is retransmitted by Timer A until a response comes: 7 sends within Timer B's 32 s, so
  //    P(it never reaches SIPp) = 0.2^7 ≈ 1.3·10⁻⁵. SIPp sends its 200 10 times (and again for every
  //    retransmitted INVITE): P(no 200 reaches us, so no Connected) = 0.2^10 ≈ 10⁻⁷.
  //  - We ACK every 200 that arrives (13.2.2.4); SIPp gives up only if none of its 10 rounds (200 there,
  //    ACK back: 0.8² = 0.64) succeeds: 0.36^10 ≈ 4·10⁻⁵.
  //  - Our BYE is retransmitted by Timer E (0.5, 1, 2, 4, 4, … s) until Timer F (32 s): 11 sends, each
  //    round trip succeeding with 0.64 (SIPp stays in timewait and answers each): P(unanswered) = 0.36^11 ≈ 10⁻⁵.
  //  - SIPp's BYE: 10 sends; P(none reaches us) = 0.2^10 ≈ 10⁻⁷ (our server transaction re-answers the rest).
  // So a Call fails with P ≈ 6·10⁻⁵ and all 20 complete with P ≈ 0.999: every Call must. Measured here over
  // 15 consecutive runs: 20/20 each time, ~1.2 packets lost per Call, the slowest Connected after 4 s
  // (Timer A's fourth INVITE), runs of 5–14 s.
  assert.equal(failed.length, 0, `every one of the ${CALLS} Calls completes; failed: ${failed.map((o) => `#${o.index} ${o.problem}`).join('; ')}${report}`);
  for (const o of outcomes.filter((x) => x.ok)) {
    assert.ok(o.statuses.includes('Connected') && o.statuses.at(-1) === 'Disconnected', `call ${o.index}: ${o.statuses.join(' → ')}`);
    assert.equal(sent(o, 'ACK'), o.sip.responsesReceived['200 INVITE'] ?? 0, `call ${o.index}: every 200 (retransmissions too) is ACKed (RFC 3261 13.2.2.4)`);
    if (o.hangup === 'hometel') assert.ok((o.sip.responsesReceived['200 BYE'] ?? 0) >= 1, `call ${o.index}: our BYE answered 200`);
    else assert.ok((o.sip.responsesSent['200 BYE'] ?? 0) >= 1, `call ${o.index}: SIPp's BYE answered 200`);
  }
  assert.equal(result.exitCode, 0, `sip-line-process exit code\n${result.stderr}`);
});
