/**
 * Wireshark's TCP analysis flags (packet-tcp.c, `ta->flags`), with the same bit values, and
 * their `tcp.analysis.*` field names — the names of the JSON contract. As in Wireshark, a fast
 * or spurious retransmission also carries the retransmission field, so `retransmission`
 * counts all three kinds (the filter `tcp.analysis.retransmission` matches them all).
 */
export const A_RETRANSMISSION = 0x0001;
export const A_LOST_PACKET = 0x0002;
export const A_ACK_LOST_PACKET = 0x0004;
export const A_KEEP_ALIVE = 0x0008;
export const A_DUPLICATE_ACK = 0x0010;
export const A_ZERO_WINDOW = 0x0020;
export const A_ZERO_WINDOW_PROBE = 0x0040;
export const A_ZERO_WINDOW_PROBE_ACK = 0x0080;
export const A_KEEP_ALIVE_ACK = 0x0100;
export const A_OUT_OF_ORDER = 0x0200;
export const A_FAST_RETRANSMISSION = 0x0400;
export const A_WINDOW_UPDATE = 0x0800;
export const A_WINDOW_FULL = 0x1000;
export const A_REUSED_PORTS = 0x2000;
export const A_SPURIOUS_RETRANSMISSION = 0x4000;

/** Contract order (SPEC.md): the order names appear in a packet's `analysis` array. */
export const ANALYSIS_ORDER: readonly [number, string][] = [
  [A_RETRANSMISSION, 'retransmission'],
  [A_FAST_RETRANSMISSION, 'fast_retransmission'],
  [A_SPURIOUS_RETRANSMISSION, 'spurious_retransmission'],
  [A_OUT_OF_ORDER, 'out_of_order'],
  [A_LOST_PACKET, 'lost_segment'],
  [A_ACK_LOST_PACKET, 'ack_lost_segment'],
  [A_DUPLICATE_ACK, 'duplicate_ack'],
  [A_ZERO_WINDOW, 'zero_window'],
  [A_ZERO_WINDOW_PROBE, 'zero_window_probe'],
  [A_ZERO_WINDOW_PROBE_ACK, 'zero_window_probe_ack'],
  [A_KEEP_ALIVE, 'keep_alive'],
  [A_KEEP_ALIVE_ACK, 'keep_alive_ack'],
  [A_WINDOW_UPDATE, 'window_update'],
  [A_WINDOW_FULL, 'window_full'],
  [A_REUSED_PORTS, 'reused_ports'],
];

export const ANALYSIS_NAMES: readonly string[] = ANALYSIS_ORDER.map(([, n]) => n);

/** The contract names of the flags set in `bits`, in contract order. */
export function analysisNames(bits: number): string[] {
  const out: string[] = [];
  for (const [bit, name] of ANALYSIS_ORDER) if (bits & bit) out.push(name);
  return out;
}

/** Wireshark's tcp.completeness bits. */
export const C_SYN = 0x01;
export const C_SYNACK = 0x02;
export const C_ACK = 0x04;
export const C_DATA = 0x08;
export const C_FIN = 0x10;
export const C_RST = 0x20;
