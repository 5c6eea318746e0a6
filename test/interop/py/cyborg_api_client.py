"""A Python caller of the SPDK agent (what cyborg-api or an operator's tool would be): a real
oslo.messaging RPCClient on the agent topic, version 1.0, Cyborg's exception module allowed.

argv[1]: JSON {"url", "exchange", "topic", "rabbit": {oslo_messaging_rabbit overrides},
               "ops": [{"kind": "call"|"cast"|"fanout", "method", "args", "server", "version",
                        "timeout"}]}
stdout: one line {"results": [...], "reply_q": ...}; a call's result is {"ok": true, "result": ...}
or what oslo_peer.describe_exception says about the exception raised. Integers beyond 2**53 are
written as {"bigint": "<digits>"} so the test reads them exactly (JavaScript's JSON.parse would
round them); that they arrived as Python ints is the point.
"""
import json
import sys

import oslo_messaging as messaging

import oslo_peer

EXACT_LIMIT = 2 ** 53


def exact(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and abs(value) > EXACT_LIMIT:
        return {'bigint': str(value)}
    if isinstance(value, list):
        return [exact(v) for v in value]
    if isinstance(value, dict):
        return {k: exact(v) for k, v in value.items()}
    return value


def main():
    params = json.loads(sys.argv[1])
    exc_module = oslo_peer.install_fake_cyborg_exceptions()
    _conf, transport = oslo_peer.make_transport(params)
    client = messaging.get_rpc_client(transport, messaging.Target(topic=params['topic'], exchange=params['exchange'], version='1.0'))
    results = []
    try:
        for op in params['ops']:
            prepare = {key: op[key] for key in ('server', 'version', 'timeout') if op.get(key) is not None}
            if op['kind'] == 'fanout':
                prepare['fanout'] = True
            cctxt = client.prepare(**prepare) if prepare else client
            ctxt = {'request_id': 'req-spdk-agent-interop', 'is_admin': True}
            try:
                if op['kind'] == 'call':
                    results.append({'ok': True, 'result': exact(cctxt.call(ctxt, op['method'], **(op.get('args') or {})))})
                else:
                    cctxt.cast(ctxt, op['method'], **(op.get('args') or {}))
                    results.append({'ok': True, 'result': None})
            except Exception as exc:
                results.append(oslo_peer.describe_exception(exc, exc_module))
    finally:
        oslo_peer.emit({'results': results, 'reply_q': getattr(transport._driver, '_reply_q', None)})
        transport.cleanup()


if __name__ == '__main__':
    main()
