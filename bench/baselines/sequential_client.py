"""Baseline "sequential persistent client": one connection kept open, one request at a time, each
reply read with SPDK's Python client loop (spdk_rpc_client.py) before the next request is sent.

argv[1]: JSON {"socket", "calls": [{"method", "params"?}], "reps", "warmup"}
stdout: one JSON line {"reps_ms": [...], "per_method_ms": {method: [...]}}
"""
import json
import sys
import time

from spdk_rpc_client import JSONRPCClient


def main():
    p = json.loads(sys.argv[1])
    client = JSONRPCClient(p['socket'], 60.0)
    per_method = {c['method']: [] for c in p['calls']}
    reps_ms = []
    for rep in range(p.get('warmup', 1) + p['reps']):
        start = time.perf_counter()
        times = []
        for c in p['calls']:
            t0 = time.perf_counter()
            client.call(c['method'], dict(c['params']) if c.get('params') else None)
            times.append((c['method'], (time.perf_counter() - t0) * 1000))
        total = (time.perf_counter() - start) * 1000
        if rep >= p.get('warmup', 1):
            reps_ms.append(total)
            for method, ms in times:
                per_method[method].append(ms)
    client.close()
    print(json.dumps({'reps_ms': reps_ms, 'per_method_ms': per_method}))


if __name__ == '__main__':
    main()
