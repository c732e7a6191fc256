// An xDS client we did not write, for Proxyless's interop tests: grpc-js with @grpc/grpc-js-xds.
// Reads gRPC's bootstrap from GRPC_XDS_BOOTSTRAP_CONFIG.
//   node client.js xds:///greeter watch     connect, follow the control plane until stdin closes
//   node client.js xds:///greeter calls N   make N unary Echo calls, print {"counts": {backend: n}, "failures": n, "errors": [...]}
'use strict';
const grpc = require('@grpc/grpc-js');
require('@grpc/grpc-js-xds').register();

const [target, mode, countArg] = process.argv.slice(2);
const client = new grpc.Client(target, grpc.credentials.createInsecure());

// grpc.examples.echo.EchoRequest / EchoResponse: field 1, a string.
function serialize(message) {
  const bytes = Buffer.from(message, 'utf8');
  const length = [];
  let n = bytes.length;
  do { length.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0)); n >>= 7; } while (n > 0);
  return Buffer.concat([Buffer.from([0x0a, ...length]), bytes]);
}

function deserialize(buffer) {
  let i = 1, length = 0, shift = 0;
  while (true) { const b = buffer[i++]; length |= (b & 0x7f) << shift; shift += 7; if (b < 0x80) break; }
  return buffer.subarray(i, i + length).toString('utf8');
}

function call() {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest('/grpc.examples.echo.Echo/UnaryEcho', serialize, deserialize, 'hi',
      { deadline: Date.now() + 10000 }, (error, reply) => error ? reject(error) : resolve(reply));
  });
}

async function main() {
  if (mode === 'watch') {
    client.getChannel().getConnectivityState(true);
    console.log('watching');
    process.stdin.on('end', () => process.exit(0));
    process.stdin.resume();
    return;
  }

  const counts = {}, errors = [];
  let failures = 0;
  for (let i = 0; i < Number(countArg); i++) {
    try {
      const reply = await call();
      const from = /\(from (.*)\)$/.exec(reply)[1];
      counts[from] = (counts[from] || 0) + 1;
    } catch (error) {
      failures++;
      if (errors.length < 3) errors.push(`${error.code}: ${error.details}`);
    }
  }
  console.log(JSON.stringify({ counts, failures, errors }));
  process.exit(0);
}

main();
