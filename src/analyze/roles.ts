/**
 * Client and server, as the contract defines them: the client is the sender of the first SYN;
 * with no SYN seen, the receiver of the first SYN-ACK; otherwise inferred from the ports (the
 * endpoint on a well-known or registered port, or the lower port, is the server) or, with equal
 * ports, from who spoke first. `clientBy` says which rule decided.
 */
import type { Connection } from './connection.js';

/** Called for every packet until the roles are fixed by a SYN or SYN-ACK. */
export function noteRoles(c: Connection, fromA: boolean, syn: boolean, ack: boolean): void {
  if (c.rolesFixed) return;
  if (syn && !ack) {
    c.clientIsA = fromA;
    c.clientBy = 'syn';
    c.rolesFixed = true;
  } else if (syn && ack) {
    c.clientIsA = !fromA;
    c.clientBy = 'syn-ack';
    c.rolesFixed = true;
  } else if (c.packets === 0) {
    inferFromPorts(c);
  }
}

function inferFromPorts(c: Connection): void {
  const pa = c.a.port;
  const pb = c.b.port;
  if (pa === pb) {
    c.clientIsA = true;
    c.clientBy = 'first-packet';
  } else if ((pa < 1024) !== (pb < 1024)) {
    c.clientIsA = pb < 1024;
    c.clientBy = 'well-known-port';
  } else {
    c.clientIsA = pa > pb;
    c.clientBy = 'lower-port';
  }
}
