/** Small renderings of a connection that several outputs share. */
import { type Connection, type Flow, clientFlow, flowAddress, serverFlow, initialRtt } from '../analyze/connection.js';
import { fixed, type ByteWriter, type Chunk } from '../util/bytes.js';

/** "192.0.2.1:40000" or "[2001:db8::1]:40000" for a connection's client or server. */
export function endpointText(c: Connection, client: boolean): string {
  const f = client ? clientFlow(c) : serverFlow(c);
  const ip = flowAddress(c.ipVersion, f);
  return c.ipVersion === 6 ? `[${ip}]:${f.port}` : `${ip}:${f.port}`;
}

/** An IPv4 flow's address in dotted decimal, digit by digit (no string made). */
export function writeIpv4(w: ByteWriter, f: Flow): void {
  writeIpv4Word(w, f.addr0);
}

/** An IPv4 address held as one 32-bit word (a flow's addr0, a packet's src[0]), as writeIpv4. */
export function writeIpv4Word(w: ByteWriter, a: number): void {
  w.uint((a >>> 24) & 0xff);
  w.byte(DOT);
  w.uint((a >>> 16) & 0xff);
  w.byte(DOT);
  w.uint((a >>> 8) & 0xff);
  w.byte(DOT);
  w.uint(a & 0xff);
}

/** endpointText(c, client) as bytes: an IPv4 one without a string made. */
export function writeEndpoint(w: ByteWriter, c: Connection, client: boolean): void {
  if (c.ipVersion !== 4) {
    w.text(endpointText(c, client));
    return;
  }
  const f = client ? clientFlow(c) : serverFlow(c);
  writeIpv4(w, f);
  w.byte(COLON);
  w.uint(f.port);
}

const DOT = 0x2e;
const COLON = 0x3a;

/** The initial RTT in milliseconds (3 decimals) for a table cell, or `none` when there is none. */
export function rttMs(c: Connection, none: string): string {
  const rtt = initialRtt(c);
  return rtt === null ? none : (rtt * 1000).toFixed(3);
}

/** rttMs(c, none) written to `w`, without its string. */
export function writeRttMs(w: ByteWriter, c: Connection, none: Chunk): void {
  const rtt = initialRtt(c);
  if (rtt === null) w.raw(none);
  else fixed(w, rtt * 1000, 3);
}
