/**
 * Acceptance 1 of the Telephony Server issue: every sequence of Appendix C that involves the
 * CallManagement service (C.1–C.34), replayed over HTTP against running Telephony Servers with the
 * spec's own request bodies (test/fixtures/sequences/, written from the spec; format in its README).
 *
 * For each CallManagement request: the printed body is POSTed with its quirks (raw XML inside
 * arguments, white space in the namespace URN and in values); only what the spec notes call a
 * misprint of the request itself is corrected, each correction listed with its reason in the
 * fixture. Compared: success or fault, the out-argument names in order, the fault code; for the
 * CallInfo events of each site, the callStatus/reason sequence, targetNames and which elements are
 * present (general or full view) and the number of TCs; every cams fragment the TS produces is
 * validated with xmllint against cams-v1.xsd. IDs, keys, addresses and SDP may differ.
 *
 * Where the expectation departs from the printed example, the fixture says what is printed and why
 * (docs/decisions.md, or the spec text the example contradicts). Site A is the caller's home, site B
 * the callee's; the test plays the WAN between their lines. MediaManagement steps are left out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSequences, SequenceRunner } from '../support/sequences.js';

const sequences = loadSequences();

for (const seq of sequences.values()) {
  test(`CallManagement ${seq.id}: ${seq.title}`, async (t) => {
    const runner = new SequenceRunner(sequences);
    try {
      await runner.run(seq.id);
    } finally {
      await runner.stop();
    }
    for (const d of runner.diagnostics) t.diagnostic(d);
    // One entry per difference between the TS and the sequence as printed (after the fixture's
    // documented corrections and decisions).
    if (runner.problems.length > 0) assert.fail(`${seq.id} differs from the spec:\n  ${runner.problems.join('\n  ')}`);
  });
}
