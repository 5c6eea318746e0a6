"""A Cyborg conductor for the agent's interop tests: a real oslo.messaging RPCServer on the conductor
topic whose `report_data` hydrates the device list with Cyborg's driver object classes
(cyborg_objects.py) and reads every field of every object, as ConductorManager.report_data does.

argv[1]: JSON {"url", "exchange", "topic", "server", "rabbit": {oslo_messaging_rabbit overrides},
               "placement_missing": N (the first N reports fail with Cyborg's
               PlacementResourceProviderNotFound, as when Placement has no provider of that name),
               "max_seconds": a safety limit on its lifetime}
stdout: {"event": "ready"}; for every report {"event": "report", "n", "hostname", "types",
        "devices" (plain dicts), "problems" (fields not set), "refused"}; {"event":
        "hydration_error", "error"} when the list could not be hydrated (the caller then gets the
        failure); {"event": "stopped"} at the end.
stdin:  "stop" (or end of file) stops the server cleanly.
"""
import json
import sys
import threading

import oslo_messaging as messaging

import cyborg_objects
import oslo_peer


class RecordingSerializer(cyborg_objects.CyborgObjectSerializer):
    def deserialize_entity(self, ctxt, entity):
        try:
            return super().deserialize_entity(ctxt, entity)
        except Exception as exc:
            oslo_peer.emit({'event': 'hydration_error', 'error': '%s: %s' % (type(exc).__name__, exc)})
            raise


def main():
    params = json.loads(sys.argv[1])
    exc_module = oslo_peer.install_fake_cyborg_exceptions()
    _conf, transport = oslo_peer.make_transport(params)
    refuse_first = int(params.get('placement_missing', 0))
    lock = threading.Lock()
    counter = {'n': 0}

    class ConductorManager(object):
        target = messaging.Target(version='1.0')

        def report_data(self, ctxt, hostname, driver_device_list):
            with lock:
                counter['n'] += 1
                n = counter['n']
            problems = []
            types = set()
            devices = cyborg_objects.plain(list(driver_device_list), 'device', problems, types)
            refused = n <= refuse_first
            oslo_peer.emit({'event': 'report', 'n': n, 'hostname': hostname, 'types': sorted(types),
                            'devices': devices, 'problems': problems, 'refused': refused})
            if refused:
                raise exc_module.PlacementResourceProviderNotFound(resource_provider=hostname)
            return None

    target = messaging.Target(topic=params['topic'], server=params.get('server', 'conductor-1'), exchange=params['exchange'])
    server = messaging.get_rpc_server(transport, target, [ConductorManager()], executor='threading',
                                      serializer=RecordingSerializer())
    server.start()
    oslo_peer.emit({'event': 'ready'})
    oslo_peer.serve_until_stopped(server, transport, params)


if __name__ == '__main__':
    main()
