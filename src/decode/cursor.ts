/**
 * Decoding walks the headers with one reused cursor. Each protocol function reads at c.off,
 * advances it and returns the code of the next protocol (or NEXT_DONE after setting the
 * packet's status). Only decoder.ts dispatches on these codes.
 */
export const NEXT_DONE = 0;
export const NEXT_ETHERNET = 1;
/** Dispatch on c.etherType. */
export const NEXT_ETHERTYPE = 2;
export const NEXT_IPV4 = 3;
export const NEXT_IPV6 = 4;
/** Dispatch on c.ipProto with c.limit = end of the IP payload. */
export const NEXT_IP_PAYLOAD = 5;
export const NEXT_MPLS = 6;
export const NEXT_PPP = 7;
/** An IP packet whose version is read from its first nibble (raw IP, MPLS payload). */
export const NEXT_IP_ANY = 8;

export class Cursor {
  /** Current read position in the frame buffer. */
  off = 0;
  /** End of the captured bytes. */
  capEnd = 0;
  /** Logical end of the current layer's payload (from a length field), may exceed capEnd. */
  limit = 0;
  /**
   * End of the bytes the enclosing layers say were on the wire (Wireshark's "reported length"):
   * the frame's original length, narrowed by PPPoE, UDP and outer IP length fields. An IP length
   * beyond it is clamped to it, as Wireshark does ("total length exceeds packet length").
   */
  wireEnd = 0;
  etherType = 0;
  ipProto = 0;
  /** Number of protocol steps taken (bounds tunnels within tunnels). */
  steps = 0;
  /**
   * The frame's buffer, and a DataView of it made when the buffer changes (once a chunk of input):
   * a 16- or 32-bit field is one load of it where byte by byte it is two or four, each with its
   * own bounds check. Only fields already checked to lie before capEnd are read through it (a
   * read beyond the buffer throws, where an index past a Uint8Array gives undefined).
   */
  buf: Uint8Array = EMPTY;
  dv: DataView = new DataView(EMPTY.buffer);
}

const EMPTY = new Uint8Array(0);
