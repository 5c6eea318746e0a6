"""Baseline "process per call": what py-spdk's exec_rpc and Cyborg's old SPDK driver did. For every
RPC a new python3 process runs the call (rpc_call.py, SPDK's client behaviour) and the caller parses
its stdout with json.loads.

argv[1]: JSON {"socket", "calls": [{"method", "params"?}], "reps", "python"}
stdout: one JSON line {"reps_ms": [...], "per_method_ms": {method: [...]}, "stdout_bytes": {method: n},
        "interpreter_ms": [...] (an empty `python3 -c pass` process, for comparison)}
"""
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def exec_rpc(python, sock, method, params):
    cmd = [python, os.path.join(HERE, 'rpc_call.py'), sock, method]
    if params:
        cmd.append(json.dumps(params))
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=HERE)
    out, err = proc.communicate(timeout=300)
    if proc.returncode != 0:
        raise RuntimeError('%s failed: %s' % (method, err.decode('utf-8', 'replace')[-500:]))
    return out


def main():
    p = json.loads(sys.argv[1])
    python = p.get('python') or sys.executable
    reps_ms = []
    per_method = {c['method']: [] for c in p['calls']}
    sizes = {}
    for _ in range(p['reps']):
        start = time.perf_counter()
        for c in p['calls']:
            t0 = time.perf_counter()
            out = exec_rpc(python, p['socket'], c['method'], c.get('params'))
            json.loads(out)
            per_method[c['method']].append((time.perf_counter() - t0) * 1000)
            sizes[c['method']] = len(out)
        reps_ms.append((time.perf_counter() - start) * 1000)
    # What an empty interpreter costs as a process, for the report (what bounds this baseline).
    interpreter_ms = []
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run([python, '-c', 'pass'], check=True)
        interpreter_ms.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({'reps_ms': reps_ms, 'per_method_ms': per_method, 'stdout_bytes': sizes,
                      'interpreter_ms': interpreter_ms}))


if __name__ == '__main__':
    main()
