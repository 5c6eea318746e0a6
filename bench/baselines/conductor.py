"""A Python conductor for the fleet and start-up figures: an oslo.messaging RPC server on the
conductor topic whose `report_data(hostname, driver_device_list)` notes when each report arrived
(wall clock, time.time(), comparable with the harness's Date.now() on the same machine), and, when
told, a fanout cast of `discover` to every agent (as the conductor side of Cyborg would send one).

argv[1]: JSON {"url", "exchange", "topic" (conductor topic), "agent_topic", "max_seconds"}
stdin:   "cast_discover" → {"event": "cast", "t"} once the cast is sent; "stop" → stops.
stdout:  {"event": "ready"}; {"event": "report", "t", "host", "devices", "deployables", "bytes"}
         per report_data; {"event": "stopped"}.
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
    _conf, transport = oslo_common.make_transport(p)
    lock = threading.Lock()

    class ConductorManager(object):
        target = messaging.Target(version='1.0')

        def report_data(self, context, hostname, driver_device_list):
            now = time.time()
            devices = driver_device_list or []
            deployables = sum(len(d.get('cyborg_object.data', {}).get('deployable_list', []) or [])
                              if isinstance(d, dict) else 0 for d in devices)
            with lock:
                oslo_common.emit({'event': 'report', 't': now, 'host': hostname, 'devices': len(devices),
                                  'deployables': deployables, 'bytes': len(json.dumps(driver_device_list))})
            return None

    target = messaging.Target(topic=p['topic'], server='bench-conductor', exchange=p['exchange'])
    server = messaging.get_rpc_server(transport, target, [ConductorManager()], executor='threading',
                                      serializer=oslo_common.RequestContextSerializer())
    server.start()
    agents = messaging.RPCClient(transport, messaging.Target(topic=p['agent_topic'], exchange=p['exchange'],
                                                             fanout=True, version='1.0'),
                                 serializer=oslo_common.RequestContextSerializer())
    oslo_common.emit({'event': 'ready', 'fanout_queue': oslo_common.fanout_queue_of(server)})

    stop = threading.Event()

    def read_stdin():
        for line in sys.stdin:
            command = line.strip()
            if command == 'stop':
                break
            if command == 'cast_discover':
                t = time.time()
                agents.cast(oslo_context.RequestContext(is_admin=True), 'discover')
                with lock:
                    oslo_common.emit({'event': 'cast', 't': t, 'sent': time.time()})
        stop.set()

    threading.Thread(target=read_stdin, daemon=True).start()
    stop.wait(timeout=p.get('max_seconds', 900))
    # Stop consuming, then leave: the harness deletes the broker objects. (server.wait() and
    # transport.cleanup() take seconds with oslo's leftover threads and add nothing here.)
    server.stop()
    oslo_common.emit({'event': 'stopped'})
    os._exit(0)


if __name__ == '__main__':
    main()
