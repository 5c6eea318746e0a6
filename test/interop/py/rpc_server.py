"""A real oslo.messaging RPCServer (Cyborg-style endpoint, version 1.0), driven by the tests.

argv[1]: JSON {"url", "exchange", "topic", "server", "rabbit": {oslo_messaging_rabbit overrides},
               "max_seconds": a safety limit on its lifetime}
stdout: {"event": "ready", "fanout_queue": ...} once consuming; {"event": "served", "method",
        "args", "context"} for every request; {"event": "stopped"} at the end.
stdin:  "stop" (or end of file: the test process is gone) stops the server cleanly.
"""
import json
import sys
import time

import oslo_messaging as messaging

import oslo_peer


def main():
    params = json.loads(sys.argv[1])
    exc_module = oslo_peer.install_fake_cyborg_exceptions()
    _conf, transport = oslo_peer.make_transport(params)
    server_name = params['server']

    class AgentEndpoint(object):
        target = messaging.Target(version='1.0')

        def _served(self, ctxt, method, args):
            oslo_peer.emit({'event': 'served', 'method': method, 'args': args, 'context': ctxt})

        def ping(self, ctxt, **kwargs):
            self._served(ctxt, 'ping', kwargs)
            return {'pong': server_name, 'kwargs': kwargs}

        def echo(self, ctxt, value):
            self._served(ctxt, 'echo', {'value': value})
            return value

        def fail_builtin(self, ctxt, message):
            self._served(ctxt, 'fail_builtin', {'message': message})
            raise ValueError(message)

        def fail_cyborg(self, ctxt, resource_provider):
            self._served(ctxt, 'fail_cyborg', {'resource_provider': resource_provider})
            raise exc_module.PlacementResourceProviderNotFound(resource_provider=resource_provider)

        def slow(self, ctxt, seconds):
            self._served(ctxt, 'slow', {'seconds': seconds})
            time.sleep(seconds)
            return 'done after %ss' % seconds

        def report_data(self, ctxt, hostname, driver_device_list):
            self._served(ctxt, 'report_data', {'hostname': hostname, 'driver_device_list': driver_device_list})
            return None

    target = messaging.Target(topic=params['topic'], server=server_name, exchange=params['exchange'])
    server = messaging.get_rpc_server(transport, target, [AgentEndpoint()], executor='threading')
    server.start()
    oslo_peer.emit({'event': 'ready', 'fanout_queue': oslo_peer.fanout_queue_of(server)})
    oslo_peer.serve_until_stopped(server, transport, params)


if __name__ == '__main__':
    main()
