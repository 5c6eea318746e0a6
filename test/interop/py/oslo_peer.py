"""Shared set-up of the Python oslo.messaging peers used by the interop tests.

Run with Debian's /usr/bin/python3 (oslo.messaging 14). Each peer reads its parameters as one
JSON object (argv[1]) and talks to the test on stdout, one JSON object per line.
"""
import json
import sys
import threading
import types

from oslo_config import cfg
import oslo_messaging as messaging
from oslo_messaging._drivers import amqp as rpc_amqp_opts
from oslo_messaging._drivers import impl_rabbit
from oslo_messaging._metrics import client as metrics_client

CYBORG_EXCEPTION_MODULE = 'cyborg.common.exception'


def emit(obj):
    """One JSON line to the test."""
    sys.stdout.write(json.dumps(obj, default=str) + '\n')
    sys.stdout.flush()


def install_fake_cyborg_exceptions():
    """A stand-in for cyborg.common.exception with the classes the agent deals with.

    CyborgException is copied from Cyborg: kwargs (with `code`) format `_msg_fmt`.
    """
    cyborg = types.ModuleType('cyborg')
    common = types.ModuleType('cyborg.common')
    exc = types.ModuleType(CYBORG_EXCEPTION_MODULE)

    class CyborgException(Exception):
        _msg_fmt = 'An unknown exception occurred.'
        code = 500

        def __init__(self, message=None, **kwargs):
            self.kwargs = kwargs
            if 'code' not in self.kwargs:
                self.kwargs['code'] = self.code
            if not message:
                message = self._msg_fmt % kwargs
            self.message = message
            super().__init__(message)

    class PlacementResourceProviderNotFound(CyborgException):
        _msg_fmt = 'Placement resource provider not found: %(resource_provider)s.'
        code = 404

    for cls in (CyborgException, PlacementResourceProviderNotFound):
        cls.__module__ = CYBORG_EXCEPTION_MODULE
        setattr(exc, cls.__name__, cls)
    cyborg.common = common
    common.exception = exc
    sys.modules['cyborg'] = cyborg
    sys.modules['cyborg.common'] = common
    sys.modules[CYBORG_EXCEPTION_MODULE] = exc
    return exc


def make_transport(params):
    """An RPC transport on params['url'] with the rabbit options the test asks for."""
    if params.get('oslo18'):
        return _make_transport_oslo18(params)
    conf = cfg.ConfigOpts()
    conf([], project='spdk-agent-interop', default_config_files=[], default_config_dirs=[])
    conf.register_opts(impl_rabbit.rabbit_opts, group='oslo_messaging_rabbit')
    conf.register_opts(rpc_amqp_opts.amqp_opts, group='oslo_messaging_rabbit')
    conf.register_opts(metrics_client.oslo_messaging_metrics, group='oslo_messaging_metrics')
    for key, value in (params.get('rabbit') or {}).items():
        conf.set_override(key, value, group='oslo_messaging_rabbit')
    messaging.set_transport_defaults(control_exchange=params['exchange'])
    # For oslo, amqp:// selects the AMQP 1.0 driver: RabbitMQ's is rabbit://.
    url = params['url']
    if url.startswith('amqp://'):
        url = 'rabbit://' + url[len('amqp://'):]
    transport = messaging.get_rpc_transport(conf, url=url, allowed_remote_exmods=[CYBORG_EXCEPTION_MODULE])
    return conf, transport


def _make_transport_oslo18(params):
    """The same with oslo.messaging 18 (PYTHONPATH=../shared/peers/oslo.messaging-18.1.0), as its
    README says a service must: the global CONF, the RabbitMQ options in a config file read
    before the transport exists (use_queue_manager is read when the driver loads), and a lock
    path for the queue manager."""
    import os
    import tempfile
    workdir = tempfile.mkdtemp(prefix='oslo18-peer-')
    lines = ['[DEFAULT]', 'control_exchange = %s' % params['exchange'], '', '[oslo_messaging_rabbit]']
    for key, value in (params.get('rabbit') or {}).items():
        lines.append('%s = %s' % (key, str(value).lower() if isinstance(value, bool) else value))
    lines += ['', '[oslo_concurrency]', 'lock_path = %s' % workdir, '']
    path = os.path.join(workdir, 'peer.conf')
    with open(path, 'w') as f:
        f.write('\n'.join(lines))
    cfg.CONF(['--config-file', path], project='spdk-agent-interop', default_config_files=[], default_config_dirs=[])
    messaging.set_transport_defaults(control_exchange=params['exchange'])
    url = params['url']
    if url.startswith('amqp://'):
        url = 'rabbit://' + url[len('amqp://'):]
    transport = messaging.get_rpc_transport(cfg.CONF, url=url, allowed_remote_exmods=[CYBORG_EXCEPTION_MODULE])
    return cfg.CONF, transport


def oslo_version():
    import oslo_messaging
    from importlib import metadata
    try:
        return metadata.version('oslo.messaging')
    except Exception:
        return getattr(oslo_messaging, '__version__', 'unknown')


def describe_exception(exc, exc_module):
    """What the caller saw: class, module, RemoteError fields, first line of str()."""
    return {
        'ok': False,
        'raised': type(exc).__name__,
        'module': type(exc).__module__,
        'is_RemoteError': isinstance(exc, messaging.RemoteError),
        'exc_type': getattr(exc, 'exc_type', None),
        'value': getattr(exc, 'value', None),
        'isinstance_PlacementResourceProviderNotFound': isinstance(exc, exc_module.PlacementResourceProviderNotFound),
        'kwargs': getattr(exc, 'kwargs', None),
        'str_first_line': str(exc).split('\n')[0],
    }


def fanout_queue_of(server):
    """The name of a started RPC server's fanout queue, if oslo exposes it (for the test's checks)."""
    try:
        consumers = server.listener._poll_style_listener.conn._consumers
        return next(c.queue_name for c in consumers if c.type == 'fanout')
    except Exception:
        return None


def serve_until_stopped(server, transport, params):
    """Serves until stdin says "stop" (or ends: the test process is gone) or params['max_seconds']
    pass, then stops the server cleanly (oslo deletes its fanout queue) and says so."""
    stop = threading.Event()

    def read_stdin():
        for line in sys.stdin:
            if line.strip() == 'stop':
                break
        stop.set()

    threading.Thread(target=read_stdin, daemon=True).start()
    stop.wait(timeout=params.get('max_seconds', 600))
    server.stop()
    server.wait()
    transport.cleanup()
    emit({'event': 'stopped'})
