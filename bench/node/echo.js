// Echo server on Node.js's net module: writes back whatever it reads.
//   node echo.js [port]   listens on 127.0.0.1 (port 0 or none: any port),
//                         prints "LISTEN <port>", serves until killed.
'use strict';
const net = require('net');

const server = net.createServer({ noDelay: true }, (sock) => {
  sock.setNoDelay(true);
  sock.on('data', (chunk) => sock.write(chunk));
  sock.on('error', () => sock.destroy());
});
server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => {
  process.stdout.write(`LISTEN ${server.address().port}\n`);
});
