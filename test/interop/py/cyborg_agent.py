"""OpenStack's Python cyborg-agent as the conductor and spdk-agent see it on the bus: a real
oslo.messaging RPCServer on `<topic>.<host>` whose endpoint has the methods of Cyborg's
AgentManager (cyborg/agent/manager.py: fpga_program, hardware_list, create_vgpu_mdev,
remove_vgpu_mdev) and nothing else, so a `ping` gets oslo's NoSuchMethod, as from the real one.

argv[1]: JSON {"url", "exchange", "topic", "server", "rabbit": {...}, "max_seconds"}
stdout: {"event": "ready", ...}; {"event": "served", "method", ...} per request; {"event": "stopped"}.
stdin:  "stop" stops it.
"""
import json
import sys

import oslo_messaging as messaging

import oslo_peer


def main():
    params = json.loads(sys.argv[1])
    _conf, transport = oslo_peer.make_transport(params)

    class AgentManager(object):
        """Cyborg's agent endpoint (RPC API 1.0), its method names only."""
        target = messaging.Target(version='1.0')

        def _served(self, ctxt, method, args):
            oslo_peer.emit({'event': 'served', 'method': method, 'args': args})

        def fpga_program(self, context, controlpath_id, bitstream_uuid, driver_name):
            self._served(context, 'fpga_program', {})
            return False

        def hardware_list(self, context, hosts):
            self._served(context, 'hardware_list', {})
            return []

        def create_vgpu_mdev(self, context, pci_addr, asked_type, ah_uuid):
            self._served(context, 'create_vgpu_mdev', {})

        def remove_vgpu_mdev(self, context, pci_addr, asked_type, ah_uuid):
            self._served(context, 'remove_vgpu_mdev', {})

    target = messaging.Target(topic=params['topic'], server=params['server'], exchange=params['exchange'])
    server = messaging.get_rpc_server(transport, target, [AgentManager()], executor='threading')
    server.start()
    oslo_peer.emit({'event': 'ready', 'fanout_queue': oslo_peer.fanout_queue_of(server)})
    oslo_peer.serve_until_stopped(server, transport, params)


if __name__ == '__main__':
    main()
