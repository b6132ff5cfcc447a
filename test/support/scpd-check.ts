/** Checks the contract tests share: a document is well-formed XML (xmllint), and a generated SCPD reads back as its contract. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { buildScpd, parseScpd } from '../../src/upnp/description/scpd-xml.js';
import type { ServiceContract } from '../../src/upnp/index.js';

export function assertWellFormed(xml: string): void {
  const r = spawnSync('xmllint', ['--noout', '-'], { input: xml, encoding: 'utf8' });
  assert.equal(r.error, undefined, 'xmllint could not be run (Debian: libxml2-utils)');
  assert.equal(r.status, 0, r.stderr);
}

/** The contract's generated SCPD, after checking that it is well-formed and parses back to the contract. */
export function checkedScpd(contract: ServiceContract): string {
  const scpd = buildScpd(contract);
  assertWellFormed(scpd);
  const parsed = parseScpd(scpd, contract.serviceType, contract.serviceId);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
  assert.deepEqual(parsed.value, contract);
  return scpd;
}
