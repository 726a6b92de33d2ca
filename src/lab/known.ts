/**
 * The published lab traces (Kurose & Ross, "Wireshark Lab: TCP"), recognised by their TCP
 * connection: 4-tuple and initial sequence numbers, read from the trace files with tshark 4.0.17.
 * A student who hands in one of these instead of their own capture is flagged by `grade`.
 * A connection matches when both ISNs match (addresses may have been rewritten), or when the
 * 4-tuple matches and one ISN does.
 */
export interface KnownTrace {
  name: string;
  source: string;
  client: { ip: string; port: number };
  server: { ip: string; port: number };
  clientIsn: number;
  serverIsn: number;
}

export const KNOWN_TRACES: readonly KnownTrace[] = [
  {
    name: 'tcp-ethereal-trace-1',
    source: 'Kurose & Ross Wireshark TCP lab v6/v7',
    client: { ip: '192.168.1.102', port: 1161 },
    server: { ip: '128.119.245.12', port: 80 },
    clientIsn: 232129012,
    serverIsn: 883061785,
  },
  {
    name: 'tcp-wireshark-trace1-1.pcapng',
    source: 'Kurose & Ross Wireshark TCP lab v8.1/v9',
    client: { ip: '192.168.86.68', port: 55639 },
    server: { ip: '128.119.245.12', port: 80 },
    clientIsn: 4236649187,
    serverIsn: 1068969752,
  },
  {
    name: 'tcp-wireshark-trace1-2.pcapng',
    source: 'Kurose & Ross Wireshark TCP lab v8.1/v9',
    client: { ip: '192.168.1.187', port: 61689 },
    server: { ip: '128.119.245.12', port: 80 },
    clientIsn: 3837349189,
    serverIsn: 4026015270,
  },
];

export interface ConnectionIdentity {
  client: { ip: string; port: number };
  server: { ip: string; port: number };
  /** Raw ISNs from the SYN / SYN-ACK, null when not captured. */
  clientIsn: number | null;
  serverIsn: number | null;
}

/** The published trace this connection comes from, or null. */
export function knownTrace(c: ConnectionIdentity): KnownTrace | null {
  for (const k of KNOWN_TRACES) {
    const cIsn = c.clientIsn === k.clientIsn;
    const sIsn = c.serverIsn === k.serverIsn;
    if (cIsn && sIsn) return k;
    const tuple = c.client.ip === k.client.ip && c.client.port === k.client.port && c.server.ip === k.server.ip && c.server.port === k.server.port;
    if (tuple && (cIsn || sIsn)) return k;
  }
  return null;
}
