// The benchmark's alternative (target c): what a user might build instead of this CSMS, a Node.js
// OCPP server on the ocpp-rpc library with strict validation of both directions. It answers the
// bench's charger messages from memory: no storage, no database.
//
// Usage: node bench/node-server.mjs <port>   (listens on 127.0.0.1, prints "listening" when ready)

import rpc from 'ocpp-rpc';

const { RPCServer } = rpc;
const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: node bench/node-server.mjs <port>');
  process.exit(2);
}

const server = new RPCServer({ protocols: ['ocpp2.0.1', 'ocpp1.6'], strictMode: true });
let nextTransactionId = 1;

server.auth((accept) => accept());
server.on('client', (client) => {
  const now = () => new Date().toISOString();
  client.handle('BootNotification', () => ({ status: 'Accepted', currentTime: now(), interval: 300 }));
  client.handle('Heartbeat', () => ({ currentTime: now() }));
  client.handle('StatusNotification', () => ({}));
  client.handle('MeterValues', () => ({}));
  client.handle('Authorize', () =>
    client.protocol === 'ocpp1.6' ? { idTagInfo: { status: 'Accepted' } } : { idTokenInfo: { status: 'Accepted' } },
  );
  client.handle('StartTransaction', () => ({ transactionId: nextTransactionId++, idTagInfo: { status: 'Accepted' } }));
  client.handle('StopTransaction', () => ({}));
  client.handle('TransactionEvent', ({ params }) => (params.idToken ? { idTokenInfo: { status: 'Accepted' } } : {}));
});

await server.listen(port, '127.0.0.1');
console.log('listening');
process.on('SIGTERM', () => server.close({ force: true }).then(() => process.exit(0)));
