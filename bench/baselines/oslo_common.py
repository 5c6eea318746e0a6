"""What the Python peers of the benchmark share: an oslo.messaging transport set up the way Cyborg
sets up its own (cyborg/common/rpc.py: get_rpc_transport, a JSON payload serializer inside a
request-context serializer), and JSON lines to the harness.

Run with Debian's /usr/bin/python3 (python3-oslo.messaging 14).
"""
import json
import sys

from oslo_config import cfg
from oslo_context import context as oslo_context
import oslo_messaging as messaging
from oslo_messaging._drivers import amqp as rpc_amqp_opts
from oslo_messaging._drivers import impl_rabbit
from oslo_messaging._metrics import client as metrics_client


def emit(obj):
    sys.stdout.write(json.dumps(obj, default=str) + '\n')
    sys.stdout.flush()


def make_transport(params):
    """An RPC transport on params['url'] for control exchange params['exchange'].

    With params['oslo18'] (PYTHONPATH pointing at ../shared/peers/oslo.messaging-18.1.0) it is set
    up as oslo 18 wants it: the global CONF, params['rabbit'] written to a config file read before
    the transport exists, a lock path for the queue manager."""
    if params.get('oslo18'):
        import os
        import tempfile
        workdir = tempfile.mkdtemp(prefix='bench-oslo18-')
        lines = ['[DEFAULT]', 'control_exchange = %s' % params['exchange'], '', '[oslo_messaging_rabbit]']
        for key, value in (params.get('rabbit') or {}).items():
            lines.append('%s = %s' % (key, str(value).lower() if isinstance(value, bool) else value))
        lines += ['', '[oslo_concurrency]', 'lock_path = %s' % workdir, '']
        path = os.path.join(workdir, 'bench.conf')
        with open(path, 'w') as f:
            f.write('\n'.join(lines))
        cfg.CONF(['--config-file', path], project='spdk-agent-bench', default_config_files=[], default_config_dirs=[])
        messaging.set_transport_defaults(control_exchange=params['exchange'])
        url = params['url']
        if url.startswith('amqp://'):
            url = 'rabbit://' + url[len('amqp://'):]
        return cfg.CONF, messaging.get_rpc_transport(cfg.CONF, url=url)
    conf = cfg.ConfigOpts()
    conf([], project='spdk-agent-bench', default_config_files=[], default_config_dirs=[])
    conf.register_opts(impl_rabbit.rabbit_opts, group='oslo_messaging_rabbit')
    conf.register_opts(rpc_amqp_opts.amqp_opts, group='oslo_messaging_rabbit')
    conf.register_opts(metrics_client.oslo_messaging_metrics, group='oslo_messaging_metrics')
    messaging.set_transport_defaults(control_exchange=params['exchange'])
    url = params['url']
    # For oslo, amqp:// selects the AMQP 1.0 driver; RabbitMQ's (kombu) is rabbit://.
    if url.startswith('amqp://'):
        url = 'rabbit://' + url[len('amqp://'):]
    return conf, messaging.get_rpc_transport(conf, url=url)


class RequestContextSerializer(messaging.Serializer):
    """Cyborg's: entities through a JSON payload serializer, contexts as oslo.context RequestContexts."""

    def __init__(self):
        self._base = messaging.JsonPayloadSerializer()

    def serialize_entity(self, context, entity):
        return self._base.serialize_entity(context, entity)

    def deserialize_entity(self, context, entity):
        return self._base.deserialize_entity(context, entity)

    def serialize_context(self, context):
        return context.to_dict()

    def deserialize_context(self, context):
        return oslo_context.RequestContext.from_dict(context)


def fanout_queue_of(server):
    """The name of a server's fanout queue (for the harness's cleanup), if oslo exposes it."""
    try:
        consumers = server.listener._poll_style_listener.conn._consumers
        return next(c.queue_name for c in consumers if c.type == 'fanout')
    except Exception:
        return None
