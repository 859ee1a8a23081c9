/**
 * The source of the tiny helper process accept-points.ts runs with `node -e` (a string, so it runs the same
 * from the .ts sources under tsx and from the compiled dist). Arguments: HOST PORT COUNT BACKLOG.
 *
 * It binds one listening socket on HOST:PORT (PORT 0: the system picks one) with the wanted backlog and sends it
 * COUNT times over its IPC channel: each send passes the socket with SCM_RIGHTS, so the receiver gets COUNT
 * descriptors of the one socket (a listening net.Server each, with the chosen port in the message). Then it
 * closes its own descriptor and disconnects. A client that connected while the socket was being handed over
 * (the helper's loop accepts too until it closes) is handed over as well, unread (`pauseOnConnect`).
 * A bind failure is one message `{ type: 'error', code, message }`.
 */
export const ACCEPT_HELPER_SOURCE = `'use strict';
const net = require('node:net');
const [host, portArg, countArg, backlogArg] = process.argv.slice(1);
const count = Number(countArg);
let pending = 0;
let closing = false;
const finish = () => {
  if (closing && pending === 0 && process.connected) process.disconnect();
};
process.on('disconnect', () => process.exit(0));
const server = net.createServer({ pauseOnConnect: true }, (socket) => {
  pending++;
  process.send({ type: 'socket' }, socket, () => {
    pending--;
    finish();
  });
});
server.on('error', (e) => {
  process.send({ type: 'error', code: e.code, message: e.message }, () => process.disconnect());
});
server.listen({ host, port: Number(portArg), backlog: Number(backlogArg) }, () => {
  const port = server.address().port;
  let sent = 0;
  const next = (err) => {
    if (err) throw err;
    if (sent === count) {
      server.close();
      closing = true;
      return finish();
    }
    sent++;
    process.send({ type: 'server', port }, server, next);
  };
  next();
});
`;
