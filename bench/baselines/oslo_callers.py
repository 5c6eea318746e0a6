"""Real oslo.messaging callers under load, for the interop pass of the bus figure: `threads`
threads, each with its own oslo RPCClient call loop on one transport, calling `method` on
`topic.server` for `duration` seconds (after a short warm-up).

argv[1]: JSON {"url", "exchange", "topic", "server", "method", "args", "threads", "duration"}
stdout: one JSON line {"calls", "errors", "first_error", "per_sec", "p50_ms", "p99_ms",
        "reply_queue", "sample"} (sample: the first result, to show it decoded)
"""
import json
import os
import sys
import threading
import time

from oslo_context import context as oslo_context
import oslo_messaging as messaging

import oslo_common


def main():
    p = json.loads(sys.argv[1])
    marks = {'start': time.monotonic()}
    _conf, transport = oslo_common.make_transport(p)
    target = messaging.Target(topic=p['topic'], server=p['server'], exchange=p['exchange'], version='1.0')
    client = messaging.RPCClient(transport, target, timeout=30, serializer=oslo_common.RequestContextSerializer())
    ctxt = oslo_context.RequestContext(is_admin=True)
    args = p.get('args') or {}
    sample = client.call(ctxt, p['method'], **args)
    marks['first_call'] = time.monotonic()
    for _ in range(20):
        client.call(ctxt, p['method'], **args)

    marks['warm'] = time.monotonic()
    latencies = []
    errors = []
    lock = threading.Lock()
    stop_at = time.monotonic() + p['duration']

    def loop():
        mine = []
        while time.monotonic() < stop_at:
            t0 = time.perf_counter()
            try:
                client.call(ctxt, p['method'], **args)
                mine.append((time.perf_counter() - t0) * 1000)
            except Exception as exc:  # counted and shown, never hidden
                with lock:
                    errors.append('%s: %s' % (type(exc).__name__, str(exc).split('\n')[0]))
        with lock:
            latencies.extend(mine)

    start = time.perf_counter()
    threads = [threading.Thread(target=loop) for _ in range(p['threads'])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    latencies.sort()

    def pct(q):
        if not latencies:
            return None
        return latencies[min(len(latencies) - 1, max(0, -(-len(latencies) * q // 100) - 1))]

    marks['load_done'] = time.monotonic()
    reply_queue = getattr(transport._driver, '_reply_q', None)
    transport.cleanup()
    marks['cleaned'] = time.monotonic()

    print(json.dumps({'calls': len(latencies), 'errors': len(errors), 'first_error': errors[0] if errors else None,
                      'per_sec': len(latencies) / elapsed, 'p50_ms': pct(50), 'p99_ms': pct(99),
                      'reply_queue': reply_queue, 'sample': sample,
                      'marks': {k: round(v - marks['start'], 3) for k, v in marks.items()}}, default=str))
    sys.stdout.flush()
    # oslo/kombu leave non-daemon threads behind that keep the interpreter alive for seconds after
    # cleanup(); everything is closed and printed, so leave now.
    os._exit(0)


if __name__ == '__main__':
    main()
