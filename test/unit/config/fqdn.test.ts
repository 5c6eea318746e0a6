import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveFqdn, type Resolver } from '../../../src/config/fqdn.js';

function resolver(canonical: string | Error, address = '10.0.0.7'): Resolver & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async lookup(hostname) {
      asked.push(hostname);
      return { address };
    },
    async lookupService(addr) {
      asked.push(addr);
      if (canonical instanceof Error) throw canonical;
      return { hostname: canonical };
    },
  };
}

test('the canonical name of the host address, when it has a dot (as socket.getfqdn)', async () => {
  const dns = resolver('cn1.example.org');
  assert.deepEqual(await resolveFqdn('cn1', 1000, dns), { name: 'cn1.example.org', timedOut: false });
  assert.deepEqual(dns.asked, ['cn1', '10.0.0.7']);
});

test('the plain host name when the canonical name has no dot or the lookup fails', async () => {
  assert.deepEqual(await resolveFqdn('cn1', 1000, resolver('localhost')), { name: 'cn1', timedOut: false });
  assert.deepEqual(await resolveFqdn('cn1', 1000, resolver(new Error('ENOTFOUND'))), { name: 'cn1', timedOut: false });
});

test('a lookup that never answers gives the host name at the deadline', async () => {
  const stuck: Resolver = {
    lookup: () => new Promise(() => undefined),
    lookupService: () => new Promise(() => undefined),
  };
  assert.deepEqual(await resolveFqdn('cn1', 20, stuck), { name: 'cn1', timedOut: true });
});
