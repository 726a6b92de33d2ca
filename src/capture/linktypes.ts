/**
 * LINKTYPE_* numbers (tcpdump.org/linktypes.html) and the names libpcap's
 * pcap_datalink_val_to_name() gives them (the names the JSON contract uses, e.g. "EN10MB").
 */
export const LINKTYPE = {
  NULL: 0,
  EN10MB: 1,
  PPP: 9,
  FDDI: 10,
  RAW_12: 12, // DLT_RAW on most BSDs; Wireshark reads it as raw IP
  RAW_14: 14, // DLT_RAW on OpenBSD
  PPP_SERIAL: 50,
  PPP_ETHER: 51,
  RAW: 101,
  C_HDLC: 104,
  IEEE802_11: 105,
  LOOP: 108,
  LINUX_SLL: 113,
  IEEE802_11_RADIO: 127,
  ARCNET_LINUX: 129,
  PPI: 192,
  IPV4: 228,
  IPV6: 229,
  NFLOG: 239,
  IPOIB: 242,
  ETHERNET_MPACKET: 274,
  LINUX_SLL2: 276,
} as const;

const NAMES: Record<number, string> = {
  0: 'NULL', 1: 'EN10MB', 3: 'AX25', 6: 'IEEE802', 7: 'ARCNET', 8: 'SLIP', 9: 'PPP', 10: 'FDDI',
  12: 'RAW', 14: 'RAW', 50: 'PPP_SERIAL', 51: 'PPP_ETHER', 100: 'ATM_RFC1483', 101: 'RAW',
  104: 'C_HDLC', 105: 'IEEE802_11', 107: 'FRELAY', 108: 'LOOP', 113: 'LINUX_SLL', 114: 'LTALK',
  117: 'PFLOG', 119: 'PRISM_HEADER', 122: 'IP_OVER_FC', 123: 'SUNATM', 127: 'IEEE802_11_RADIO',
  129: 'ARCNET_LINUX', 132: 'JUNIPER_ES', 138: 'APPLE_IP_OVER_IEEE1394', 139: 'MTP2_WITH_PHDR',
  140: 'MTP2', 141: 'MTP3', 142: 'SCCP', 143: 'DOCSIS', 144: 'LINUX_IRDA', 163: 'IEEE802_11_RADIO_AVS',
  164: 'JUNIPER_MONITOR', 165: 'BACNET_MS_TP', 166: 'PPP_PPPD', 177: 'LINUX_LAPD', 182: 'MFR',
  187: 'BLUETOOTH_HCI_H4', 189: 'USB_LINUX', 192: 'PPI', 195: 'IEEE802_15_4', 197: 'ERF',
  201: 'BLUETOOTH_HCI_H4_WITH_PHDR', 220: 'USB_LINUX_MMAPPED', 227: 'CAN_SOCKETCAN', 228: 'IPV4',
  229: 'IPV6', 239: 'NFLOG', 240: 'NETANALYZER', 242: 'IPOIB', 249: 'USBPCAP', 252: 'WIRESHARK_UPPER_PDU',
  266: 'NORDIC_BLE', 274: 'ETHERNET_MPACKET', 276: 'LINUX_SLL2', 281: 'DSA_TAG_BRCM', 284: 'DSA_TAG_DSA',
};

/** The libpcap name of a link type, or "LINKTYPE_<n>" when it has none here. */
export function linkTypeName(linkType: number): string {
  return NAMES[linkType] ?? `LINKTYPE_${linkType}`;
}
