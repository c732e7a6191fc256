"""An xDS client we did not write, for Proxyless's interop tests: Python grpcio (gRPC C-core).

Reads gRPC's bootstrap from GRPC_XDS_BOOTSTRAP_CONFIG.
  python3 client.py xds:///greeter watch     connect, follow the control plane until stdin closes
  python3 client.py xds:///greeter calls N   make N unary Echo calls, print {"counts": {backend: n}, "failures": n, "errors": [...]}
"""
import json
import re
import sys

import grpc


def serialize(message):
    data = message.encode("utf-8")
    length = bytearray()
    n = len(data)
    while True:
        length.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if n == 0:
            break
    return b"\x0a" + bytes(length) + data


def deserialize(data):
    i, length, shift = 1, 0, 0
    while True:
        b = data[i]
        i += 1
        length |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            break
    return data[i:i + length].decode("utf-8")


def main():
    target, mode = sys.argv[1], sys.argv[2]
    channel = grpc.insecure_channel(target)
    if mode == "watch":
        channel.subscribe(lambda state: None, try_to_connect=True)
        print("watching", flush=True)
        sys.stdin.read()
        return

    echo = channel.unary_unary("/grpc.examples.echo.Echo/UnaryEcho", request_serializer=serialize, response_deserializer=deserialize)
    counts, errors, failures = {}, [], 0
    for _ in range(int(sys.argv[3])):
        try:
            reply = echo("hi", timeout=10)
            origin = re.search(r"\(from (.*)\)$", reply).group(1)
            counts[origin] = counts.get(origin, 0) + 1
        except grpc.RpcError as error:
            failures += 1
            if len(errors) < 3:
                errors.append(f"{error.code()}: {error.details()}")
    print(json.dumps({"counts": counts, "failures": failures, "errors": errors}), flush=True)


if __name__ == "__main__":
    main()
