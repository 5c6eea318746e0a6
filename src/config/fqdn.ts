/**
 * The default reported hostname: the FQDN, as Cyborg's `socket.getfqdn()` finds it (resolve the
 * host name, then ask for the canonical name of its address; keep it only if it has a dot).
 *
 * Name resolution can stall for a long time when DNS is unreachable; the agent must not hang at
 * start, so the lookup has a deadline and falls back to the plain host name.
 */
import { promises as dns } from 'node:dns';

export interface FqdnResult {
  name: string;
  /** Set when the lookup did not finish in time. */
  timedOut: boolean;
}

export interface Resolver {
  lookup(hostname: string): Promise<{ address: string }>;
  lookupService(address: string, port: number): Promise<{ hostname: string }>;
}

export async function resolveFqdn(hostname: string, timeoutMs = 2000, resolver: Resolver = dns): Promise<FqdnResult> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<FqdnResult>((resolve) => {
    timer = setTimeout(() => resolve({ name: hostname, timedOut: true }), timeoutMs);
  });
  const lookup = (async (): Promise<FqdnResult> => {
    try {
      const { address } = await resolver.lookup(hostname);
      const { hostname: canonical } = await resolver.lookupService(address, 0);
      return { name: canonical.includes('.') ? canonical : hostname, timedOut: false };
    } catch {
      return { name: hostname, timedOut: false };
    }
  })();
  try {
    return await Promise.race([lookup, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
