"""Baseline "Python oslo.messaging agent": a Cyborg-style agent service (eventlet monkey-patching,
the eventlet executor and Cyborg's request-context serializer, as cyborg/cmd and
cyborg/common/rpc.py set them up) with the same `ping` and `report` endpoints as spdk-agent.

It reads the target's inventory once at start, with SPDK's Python client (spdk_rpc_client.py), and
answers every `report` from that copy: the baseline never waits for the target, which favours it
(spdk-agent reads the target live on every `report`).

argv[1]: JSON {"url", "exchange", "topic", "server", "socket", "executor": "eventlet"|"threading",
               "max_seconds"}
stdout: {"event": "ready", "pid", "fanout_queue", "executor", "report_bytes"}; {"event": "stopped"}
Stops on SIGTERM/SIGINT, when its parent goes away, or after max_seconds.
"""
import json
import sys

PARAMS = json.loads(sys.argv[1])
EXECUTOR = PARAMS.get('executor', 'eventlet')
if EXECUTOR == 'eventlet':
    # As cyborg/cmd/__init__.py does, before anything else is imported.
    import eventlet
    eventlet.monkey_patch()

import datetime  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import time  # noqa: E402

import oslo_messaging as messaging  # noqa: E402
from oslo_messaging.rpc import dispatcher  # noqa: E402

import oslo_common  # noqa: E402
from spdk_rpc_client import JSONRPCClient  # noqa: E402

# What spdk-agent reads from an spdk_tgt, under the keys its report uses.
SECTIONS = [
    ('bdevs', 'bdev_get_bdevs'),
    ('nvme_controllers', 'bdev_nvme_get_controllers'),
    ('transports', 'nvmf_get_transports'),
    ('subsystems', 'nvmf_get_subsystems'),
    ('vhost_controllers', 'vhost_get_controllers'),
    ('target_nodes', 'iscsi_get_target_nodes'),
    ('portal_groups', 'iscsi_get_portal_groups'),
    ('scsi_devices', 'scsi_get_devices'),
]


def read_target(sock):
    client = JSONRPCClient(sock, 60.0)
    try:
        version = client.call('spdk_get_version')
        data = {key: client.call(method) for key, method in SECTIONS}
    finally:
        client.close()
    return {
        'version': version['version'],
        'app': 'spdk_tgt',
        'bdevs': sorted(data['bdevs'], key=lambda b: b['name']),
        'nvme_controllers': sorted(data['nvme_controllers'], key=lambda c: c['name']),
        'nvmf': {'transports': data['transports'], 'subsystems': sorted(data['subsystems'], key=lambda s: s['nqn'])},
        'vhost_controllers': data['vhost_controllers'],
        'iscsi': {'target_nodes': data['target_nodes'], 'portal_groups': data['portal_groups']},
        'scsi_devices': data['scsi_devices'],
        'unreadable_sections': [],
    }


def main():
    params = PARAMS
    since = datetime.datetime.now(datetime.timezone.utc).isoformat()
    inventory = read_target(params['socket'])
    server_name = params['server']

    def view():
        return {
            'name': 'bench0', 'app': 'spdk_tgt', 'state': 'running', 'enabled': True,
            'disabled_reason': None, 'socket': params['socket'], 'ownership': 'adopted', 'pid': None,
            'version': inventory['version'], 'since': since, 'restarts': 0, 'last_exit': None,
            'last_error': None, 'inventory': inventory, 'inventory_error': None,
        }

    class AgentManager(object):
        target = messaging.Target(version='1.0')

        def ping(self, context):
            return {'pong': server_name, 'reported_hostname': server_name, 'agent': 'python-oslo-agent', 'version': '1.0'}

        def report(self, context, target=None, stats=False):
            if target is not None and target != 'bench0':
                raise ValueError('unknown target %r; configured targets: bench0' % target)
            return {'targets': [view()]}

    _conf, transport = oslo_common.make_transport(params)
    target = messaging.Target(topic=params['topic'], server=server_name, exchange=params['exchange'])
    server = messaging.get_rpc_server(transport, target, [AgentManager()], executor=EXECUTOR,
                                      serializer=oslo_common.RequestContextSerializer(),
                                      access_policy=dispatcher.DefaultRPCAccessPolicy)
    server.start()
    oslo_common.emit({'event': 'ready', 'pid': os.getpid(), 'fanout_queue': oslo_common.fanout_queue_of(server),
                      'executor': EXECUTOR, 'report_bytes': len(json.dumps({'targets': [view()]}))})

    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(1))
    parent = os.getppid()
    deadline = time.monotonic() + params.get('max_seconds', 900)
    while not stopping and os.getppid() == parent and time.monotonic() < deadline:
        time.sleep(0.2)
    # Stop consuming, then leave: the harness deletes the broker objects. (server.wait() and
    # transport.cleanup() take seconds with oslo's leftover threads and add nothing here.)
    server.stop()
    oslo_common.emit({'event': 'stopped'})
    os._exit(0)


if __name__ == '__main__':
    main()
