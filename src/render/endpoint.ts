/** Small renderings of a connection that several outputs share. */
import { type Connection, clientFlow, flowAddress, serverFlow, initialRtt } from '../analyze/connection.js';

/** "192.0.2.1:40000" or "[2001:db8::1]:40000" for a connection's client or server. */
export function endpointText(c: Connection, client: boolean): string {
  const f = client ? clientFlow(c) : serverFlow(c);
  const ip = flowAddress(c.ipVersion, f);
  return c.ipVersion === 6 ? `[${ip}]:${f.port}` : `${ip}:${f.port}`;
}

/** The initial RTT in milliseconds (3 decimals) for a table cell, or `none` when there is none. */
export function rttMs(c: Connection, none: string): string {
  const rtt = initialRtt(c);
  return rtt === null ? none : (rtt * 1000).toFixed(3);
}
