/**
 * One captured record, as the readers hand it out.
 *
 * A Frame is *reused*: the reader overwrites the same object for every record, and `buf` is
 * *borrowed* — the bytes at buf[dataOffset .. dataOffset+capLen) are valid only until the next
 * call to the reader's next(). Anything that must outlive the packet is copied out by the caller.
 */
export class Frame {
  /** 1-based frame number in file order, exactly as Wireshark's frame.number counts packets. */
  number = 0;
  /** Whole seconds since the epoch (may be negative or beyond 2^32 after if_tsoffset). */
  tsSec = 0;
  /** Nanoseconds within the second, 0 <= tsNsec < 1e9. */
  tsNsec = 0;
  /** False for pcapng Simple Packet Blocks, which carry no timestamp (shown as 0). */
  hasTs = true;
  /** Bytes present in the capture. */
  capLen = 0;
  /** Bytes the packet had on the wire. */
  origLen = 0;
  /** LINKTYPE_* of the interface that captured the record. */
  linkType = 0;
  /** pcapng interface index within its section (0 for classic pcap). */
  interfaceId = 0;
  /** Byte offset of the record's header in the (decompressed) input. */
  offset = 0;
  /** Borrowed buffer holding the record's data. */
  buf: Uint8Array = new Uint8Array(0);
  /** Where the data starts in buf. */
  dataOffset = 0;

  /** Timestamp as floating seconds (microsecond-exact for current dates, not nanosecond-exact). */
  time(): number {
    return this.tsSec + this.tsNsec / 1e9;
  }
}

/** Exact decimal text of a timestamp: "1700000000.123456789". */
export function formatTimestamp(sec: number, nsec: number): string {
  const frac = String(nsec).padStart(9, '0');
  return `${sec}.${frac}`;
}

/**
 * Seconds from (t0Sec, t0Nsec) to (sec, nsec), as every packet's `time` is computed (the
 * tracker's, and a kept SYN's in flow/pending.ts, which must be the same double); 0 for a frame
 * without a timestamp. The tracker's begin() writes the same expression out rather than call
 * this (a double returned from a call is boxed when the call is not inlined).
 */
export function secondsSince(hasTs: boolean, sec: number, nsec: number, t0Sec: number, t0Nsec: number): number {
  return hasTs ? sec - t0Sec + (nsec - t0Nsec) / 1e9 : 0;
}
