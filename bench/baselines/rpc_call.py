"""One RPC as one process, the way scripts/rpc.py runs: connect, send one request, read the reply
with SPDK's client loop, print the result as rpc.py prints it (json.dumps(result, indent=2)), exit.

argv: <socket> <method> [<params as JSON>]
Exit 1 with the client's message on stderr when the call fails, as rpc.py does.

rpc.py itself costs more than this script before it sends anything: it imports the whole spdk.rpc
package and builds an argparse parser with hundreds of sub-commands (the contract measured 245 ms
for a 10-bdev bdev_get_bdevs). This baseline leaves that out, so it is faster than the real tool.
"""
import json
import sys

from spdk_rpc_client import JSONRPCClient, JSONRPCException


def main():
    sock, method = sys.argv[1], sys.argv[2]
    params = json.loads(sys.argv[3]) if len(sys.argv) > 3 else None
    try:
        client = JSONRPCClient(sock, 60.0)
        result = client.call(method, params)
        client.close()
    except JSONRPCException as ex:
        sys.stderr.write(ex.message + "\n")
        sys.exit(1)
    if isinstance(result, (dict, list)):
        print(json.dumps(result, indent=2))
    elif isinstance(result, bool):
        print(json.dumps(result))
    else:
        print(result)


if __name__ == '__main__':
    main()
