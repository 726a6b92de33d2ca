/**
 * The string tables: every sentence the tool says about a capture, by key, in English and in
 * Simplified Chinese (with the textbook terms: 三次握手, 四次挥手, 序号/确认号, 捎带确认, 半关闭,
 * 同时关闭, TIME_WAIT 与 2MSL…). Analyzers produce keys and numbers; only these tables turn them
 * into sentences. Both languages have the same keys (a test checks it).
 */

export type Lang = 'en' | 'zh';

/** Values a message can use: the sender and receiver roles, and up to three numbers. */
export interface Vars {
  from: string;
  to: string;
  n1: number;
  n2: number;
  n3: number;
}

type Table = Record<string, (v: Vars) => string>;

const en: Table = {
  // --- packet notes
  syn: (v) => `SYN from the ${v.from}: it opens the connection with ISN ${v.n1} (relative seq 0); the SYN consumes one sequence number`,
  synRetransmitted: (v) => `SYN sent again (retransmission ${v.n1}, same ISN): no answer yet`,
  synAck: (v) => `SYN-ACK: ack ${v.n1} = ${v.to} ISN ${v.n2} + 1, because the SYN consumes one sequence number; the ${v.from}'s own ISN is ${v.n3}`,
  handshakeAck: (v) => `ACK: ack ${v.n1} = ${v.to} ISN ${v.n2} + 1; the three-way handshake is complete and both sides are ESTABLISHED`,
  simultaneousSyn: (v) => `a SYN from the ${v.from} too (ISN ${v.n1}): both sides opened at once (simultaneous open), so both are SYN_RECEIVED`,
  simultaneousSynAck: (v) => `SYN-ACK of a simultaneous open: the ${v.from} repeats its ISN and acknowledges the other SYN (ack ${v.n1})`,
  synAckRetransmitted: () => 'SYN-ACK sent again: the final ACK of the handshake had not arrived',
  midstream: () => 'the capture began after the handshake: ISN and window scale are unknown; relative numbers start at the first packet seen',
  firstData: (v) => `first data from the ${v.from}: bytes ${v.n1} to ${v.n3 - 1} (${v.n2} bytes); the ${v.to} acknowledges them with ack ${v.n3} = ${v.n1} + ${v.n2}`,
  dataAcked: (v) => `ack ${v.n1}: the ${v.from} has received every byte before ${v.n1}, and expects byte ${v.n1} next`,
  finFirst: (v) => `FIN from the ${v.from} at seq ${v.n1}: it has no more data to send (FIN_WAIT_1); the FIN consumes one sequence number, so it will be acknowledged with ack ${v.n2}`,
  finAcked: (v) => `ack ${v.n1} = FIN seq ${v.n1 - 1} + 1: the ${v.from} acknowledges the FIN and is in CLOSE_WAIT; the ${v.to} moves to FIN_WAIT_2`,
  finPiggybacked: (v) => `FIN and ACK combined: the ${v.from} acknowledged the ${v.to}'s FIN (ack ${v.n1}) and closed in the same segment, so teardown took three segments`,
  finSecond: (v) => `FIN from the ${v.from} at seq ${v.n2}: it has finished too (LAST_ACK); the ${v.to} enters TIME_WAIT when this arrives`,
  finCrossed: (v) => `FIN from the ${v.from} at seq ${v.n1}, sent before it saw the ${v.to}'s FIN: the FINs crossed (simultaneous close) and both sides are CLOSING`,
  finRetransmitted: () => 'FIN sent again: it had not been acknowledged',
  lastAck: (v) => `ack ${v.n1} = FIN seq ${v.n1 - 1} + 1, the last ACK: the ${v.from} waits in TIME_WAIT (2·MSL, not visible in a capture) and the ${v.to} is CLOSED`,
  lastAckSimultaneous: (v) => `ack ${v.n1} acknowledges the ${v.to}'s FIN: the ${v.to} leaves CLOSING for TIME_WAIT (2·MSL, inferred)`,
  dataAfterFin: (v) => `${v.n1} bytes after the ${v.to}'s FIN: a half-close — the ${v.to} stopped sending, the ${v.from} may go on`,
  rstRefused: (v) => `RST answers the SYN (ack ${v.n1} = ISN ${v.n2} + 1): nothing listens on that port, the connection is refused`,
  rst: (v) => `RST from the ${v.from}: the connection is aborted; both sides are CLOSED at once, with no TIME_WAIT`,
  rstAfterFin: (v) => `RST from the ${v.from} after a FIN: the connection ends with a reset instead of finishing the close`,
  rstAnswersData: (v) => `RST from the ${v.from}: data arrived on a socket it had already closed, so it answered with a reset`,
  retransmission: (v) => `retransmission: bytes ${v.n1} to ${v.n2 - 1} were sent before and are sent again (the first copy or its ACK was lost, or the timer expired)`,
  fastRetransmission: (v) => `fast retransmission: bytes ${v.n1} to ${v.n2 - 1} sent again right after duplicate ACKs asked for byte ${v.n1}, without waiting for the timeout (RFC 5681)`,
  spuriousRetransmission: (v) => `spurious retransmission: bytes ${v.n1} to ${v.n2 - 1} had already been acknowledged by the ${v.to}`,
  outOfOrder: (v) => `out of order: bytes ${v.n1} to ${v.n2 - 1} came after later bytes (reordered on the way, or the original was delayed)`,
  lostSegment: (v) => `previous segment not captured: the bytes before ${v.n1} were never seen (lost before the capture point, or missed by the capture)`,
  ackLostSegment: (v) => `ACKed unseen segment: ack ${v.n1} covers bytes the capture never saw`,
  duplicateAck: (v) => `duplicate ACK #${v.n1}: the ${v.from} still expects byte ${v.n2}, so a segment is missing; three of these trigger a fast retransmission`,
  zeroWindow: (v) => `zero window: the ${v.from}'s receive buffer is full and the ${v.to} must stop sending`,
  zeroWindowProbe: (v) => `zero-window probe: the ${v.from} sends one byte to ask whether the ${v.to}'s window has opened again`,
  zeroWindowProbeAck: () => 'answer to the zero-window probe: the window is still closed',
  windowUpdate: (v) => `window update: the ${v.from} can receive ${v.n1} bytes again`,
  windowFull: (v) => `window full: this segment fills the ${v.to}'s advertised receive window`,
  keepAlive: (v) => `keep-alive: a segment one byte below the next sequence number, checking that the ${v.to} is still there`,
  keepAliveAck: (v) => `answer to the keep-alive: the ${v.from} is still there`,
  // --- walkthrough headings and labels
  wConnection: () => 'Connection',
  lHandshake: () => 'handshake',
  ladderNote: () => '* inferred: an observer never sees LISTEN or TIME_WAIT',
  ladderGap: (v) => `⋮ ${v.n1} more data packets ⋮`,
  lWindowScale: () => 'window scale',
  lScaleOff: () => 'window scale off',
  lTimestamps: () => 'timestamps',
  lNoTimestamps: () => 'no timestamps',
  lNoSack: () => 'no SACK',
  lSep: () => ', ',
  lFrame: () => 'frame',
  lSeq: () => 'seq',
  lAck: () => 'ack',
  lRaw: () => 'raw',
  lRel: () => 'relative',
  lLen: () => 'len',
  lTeardown: () => 'teardown',
  wHandshake: () => 'Three-way handshake',
  wHandshakeSimultaneous: () => 'Simultaneous open',
  wHandshakeMissing: () => 'Handshake not captured',
  wData: () => 'Data',
  wTeardown: () => 'Teardown',
  wFinal: () => 'Final states',
  wQuality: () => 'Capture quality',
  wInferred: () => 'inferred',
  wAgreed: () => 'agreed',
  wNone: () => 'none',
  wSegments: (v) => `${v.from} → ${v.to}: ${v.n1} segment(s) with data, ${v.n2} bytes`,
  wAnalysis: () => 'analysis',
  wPackets: (v) => `${v.n1} packets in ${(v.n2 / 1e6).toFixed(6)} s`,
  wBytes: (v) => `client sent ${v.n1} bytes, server ${v.n2} bytes`,
  wMore: (v) => `… ${v.n1} more packet(s) (use --verbose to list every packet)`,
  kindThreeWay: () => 'three-way',
  kindSimultaneousOpen: () => 'simultaneous open',
  kindRefused: () => 'refused (SYN answered by RST)',
  kindUnanswered: () => 'unanswered (SYN only)',
  kindIncomplete: () => 'incomplete (no final ACK)',
  kindNotCaptured: () => 'not captured (capture began mid-connection)',
  tkFourWay: () => 'four segments (四次挥手: FIN, ACK, FIN, ACK)',
  tkThreeWay: () => 'three segments: the second FIN rode on the ACK',
  tkSimultaneous: () => 'simultaneous close: the FINs crossed',
  tkReset: () => 'reset (RST)',
  tkHalfClosed: () => 'half-closed: only one side sent FIN',
  tkNone: () => 'none: no FIN or RST in the capture',
  wInitiator: (v) => `${v.from} closed first`,
  // --- diagnostics
  diagStartedMidConnection: () => 'the capture started after the connection was opened: no SYN was captured, so the ISN and the window scale are unknown',
  diagEndedBeforeClose: () => 'the capture ended before the connection closed (no FIN or RST)',
  diagPreviousSegmentNotCaptured: (v) => `${v.n1} segment(s) came after a gap in the sequence numbers (Wireshark: "previous segment not captured"): the capture missed packets, or they were lost before the capture point`,
  diagAckedUnseen: (v) => `${v.n1} ACK(s) acknowledged data the capture never saw`,
  diagLargerThanMss: (v) => `the ${v.from} sent segments of up to ${v.n1} bytes, more than the ${v.n2}-byte MSS the ${v.to} announced: segmentation offload (TSO/GSO) at the capturing host, not a protocol error`,
  diagSnaplenTruncated: (v) => `${v.n1} packet(s) were cut by the snapshot length: the headers are complete, the payload is partial`,
};

const zh: Table = {
  syn: (v) => `${v.from}发送 SYN，发起连接，初始序号 ISN 为 ${v.n1}（相对序号 0）；SYN 占用一个序号`,
  synRetransmitted: (v) => `再次发送 SYN（第 ${v.n1} 次重传，ISN 不变）：仍未收到应答`,
  synAck: (v) => `SYN-ACK：确认号 ${v.n1} = ${v.to} ISN ${v.n2} + 1，因为 SYN 占用一个序号；${v.from}自己的 ISN 为 ${v.n3}`,
  handshakeAck: (v) => `ACK：确认号 ${v.n1} = ${v.to} ISN ${v.n2} + 1；三次握手完成，双方进入 ESTABLISHED`,
  simultaneousSyn: (v) => `${v.from}也发送了 SYN（ISN ${v.n1}）：双方同时打开连接（同时打开），都进入 SYN_RECEIVED`,
  simultaneousSynAck: (v) => `同时打开中的 SYN-ACK：${v.from}重复自己的 ISN，并确认对方的 SYN（确认号 ${v.n1}）`,
  synAckRetransmitted: () => '再次发送 SYN-ACK：握手的最后一个 ACK 尚未到达',
  midstream: () => '抓包开始于三次握手之后：ISN 和窗口扩大因子未知；相对序号从抓到的第一个报文开始计算',
  firstData: (v) => `${v.from}发送的第一段数据：字节 ${v.n1} 到 ${v.n3 - 1}（共 ${v.n2} 字节）；${v.to}将以确认号 ${v.n3} = ${v.n1} + ${v.n2} 确认`,
  dataAcked: (v) => `确认号 ${v.n1}：${v.from}已收到 ${v.n1} 之前的全部字节，期望下一个字节为 ${v.n1}`,
  finFirst: (v) => `${v.from}发送 FIN，序号 ${v.n1}：没有数据要发送了（FIN_WAIT_1）；FIN 占用一个序号，因此对它的确认号将是 ${v.n2}`,
  finAcked: (v) => `确认号 ${v.n1} = FIN 序号 ${v.n1 - 1} + 1：${v.from}确认了 FIN，进入 CLOSE_WAIT；${v.to}进入 FIN_WAIT_2`,
  finPiggybacked: (v) => `FIN 与 ACK 合并（捎带确认）：${v.from}在确认${v.to}的 FIN（确认号 ${v.n1}）的同一报文段中也关闭了连接，因此四次挥手只用了三个报文段`,
  finSecond: (v) => `${v.from}发送 FIN，序号 ${v.n2}：它也发送完毕（LAST_ACK）；${v.to}收到后进入 TIME_WAIT`,
  finCrossed: (v) => `${v.from}在看到${v.to}的 FIN 之前就发送了 FIN（序号 ${v.n1}）：两个 FIN 交叉（同时关闭），双方进入 CLOSING`,
  finRetransmitted: () => '再次发送 FIN：之前的 FIN 未被确认',
  lastAck: (v) => `确认号 ${v.n1} = FIN 序号 ${v.n1 - 1} + 1，最后一个 ACK：${v.from}进入 TIME_WAIT，等待 2MSL（抓包中看不到），${v.to}进入 CLOSED`,
  lastAckSimultaneous: (v) => `确认号 ${v.n1} 确认了${v.to}的 FIN：${v.to}从 CLOSING 进入 TIME_WAIT（2MSL，推断）`,
  dataAfterFin: (v) => `在${v.to}的 FIN 之后又发送了 ${v.n1} 字节：半关闭——${v.to}不再发送，${v.from}仍可继续发送`,
  rstRefused: (v) => `RST 回应 SYN（确认号 ${v.n1} = ISN ${v.n2} + 1）：该端口没有监听，连接被拒绝`,
  rst: (v) => `${v.from}发送 RST：连接被异常终止（复位）；双方立即进入 CLOSED，没有 TIME_WAIT`,
  rstAfterFin: (v) => `${v.from}在 FIN 之后发送 RST：连接以复位结束，而不是完成正常的四次挥手`,
  rstAnswersData: (v) => `${v.from}发送 RST：数据到达了一个它已关闭的套接字，因此以复位应答`,
  retransmission: (v) => `重传：字节 ${v.n1} 到 ${v.n2 - 1} 之前已发送过，现在再次发送（第一次的报文或其 ACK 丢失，或重传计时器超时）`,
  fastRetransmission: (v) => `快速重传：重复确认要求字节 ${v.n1}，于是立即重发字节 ${v.n1} 到 ${v.n2 - 1}，无需等待超时（RFC 5681）`,
  spuriousRetransmission: (v) => `虚假重传：字节 ${v.n1} 到 ${v.n2 - 1} 早已被${v.to}确认`,
  outOfOrder: (v) => `乱序：字节 ${v.n1} 到 ${v.n2 - 1} 在更靠后的字节之后才到达（途中被重排，或原报文被延迟）`,
  lostSegment: (v) => `前一个报文段未抓到：字节 ${v.n1} 之前的数据没有出现（在抓包点之前丢失，或抓包漏掉）`,
  ackLostSegment: (v) => `确认了未见过的报文段：确认号 ${v.n1} 覆盖了抓包中从未出现的数据`,
  duplicateAck: (v) => `重复确认 #${v.n1}：${v.from}仍在期待字节 ${v.n2}，说明有报文段缺失；收到三个重复确认会触发快速重传`,
  zeroWindow: (v) => `零窗口：${v.from}的接收缓冲区已满，${v.to}必须暂停发送`,
  zeroWindowProbe: (v) => `零窗口探测：${v.from}发送一个字节，询问${v.to}的窗口是否重新打开`,
  zeroWindowProbeAck: () => '对零窗口探测的应答：窗口仍为 0',
  windowUpdate: (v) => `窗口更新：${v.from}又可以接收 ${v.n1} 字节了`,
  windowFull: (v) => `窗口已满：该报文段填满了${v.to}通告的接收窗口`,
  keepAlive: (v) => `保活（keep-alive）：序号比下一个序号小 1 的报文段，用来检查${v.to}是否仍然在线`,
  keepAliveAck: (v) => `对保活报文的应答：${v.from}仍然在线`,
  wConnection: () => '连接',
  lHandshake: () => '握手',
  ladderNote: () => '* 推断：抓包无法直接看到 LISTEN 和 TIME_WAIT',
  ladderGap: (v) => `⋮ 另有 ${v.n1} 个数据报文 ⋮`,
  lWindowScale: () => '窗口扩大因子',
  lScaleOff: () => '未使用窗口扩大',
  lTimestamps: () => '时间戳',
  lNoTimestamps: () => '无时间戳',
  lNoSack: () => '不支持 SACK',
  lSep: () => '，',
  lFrame: () => '帧',
  lSeq: () => '序号',
  lAck: () => '确认号',
  lRaw: () => '原始',
  lRel: () => '相对',
  lLen: () => '长度',
  lTeardown: () => '挥手',
  wHandshake: () => '三次握手',
  wHandshakeSimultaneous: () => '同时打开',
  wHandshakeMissing: () => '未抓到三次握手',
  wData: () => '数据传输',
  wTeardown: () => '四次挥手（连接释放）',
  wFinal: () => '最终状态',
  wQuality: () => '抓包质量',
  wInferred: () => '推断',
  wAgreed: () => '协商结果',
  wNone: () => '无',
  wSegments: (v) => `${v.from} → ${v.to}：${v.n1} 个数据报文段，共 ${v.n2} 字节`,
  wAnalysis: () => '分析',
  wPackets: (v) => `${v.n1} 个报文，历时 ${(v.n2 / 1e6).toFixed(6)} 秒`,
  wBytes: (v) => `客户端发送 ${v.n1} 字节，服务器发送 ${v.n2} 字节`,
  wMore: (v) => `…… 另有 ${v.n1} 个报文（使用 --verbose 列出全部报文）`,
  kindThreeWay: () => '三次握手',
  kindSimultaneousOpen: () => '同时打开',
  kindRefused: () => '被拒绝（SYN 收到 RST）',
  kindUnanswered: () => '无应答（只有 SYN）',
  kindIncomplete: () => '不完整（缺少最后的 ACK）',
  kindNotCaptured: () => '未抓到（抓包始于连接中途）',
  tkFourWay: () => '四个报文段（四次挥手：FIN、ACK、FIN、ACK）',
  tkThreeWay: () => '三个报文段：第二个 FIN 捎带在 ACK 上',
  tkSimultaneous: () => '同时关闭：两个 FIN 交叉',
  tkReset: () => '复位（RST）',
  tkHalfClosed: () => '半关闭：只有一方发送了 FIN',
  tkNone: () => '无：抓包中没有 FIN 或 RST',
  wInitiator: (v) => `${v.from}先关闭`,
  diagStartedMidConnection: () => '抓包开始于连接建立之后：没有抓到 SYN，因此 ISN 和窗口扩大因子未知',
  diagEndedBeforeClose: () => '抓包在连接关闭之前就结束了（没有 FIN 或 RST）',
  diagPreviousSegmentNotCaptured: (v) => `有 ${v.n1} 个报文段出现在序号空缺之后（Wireshark：“previous segment not captured”）：抓包漏掉了报文，或报文在到达抓包点之前已丢失`,
  diagAckedUnseen: (v) => `有 ${v.n1} 个 ACK 确认了抓包中从未出现过的数据`,
  diagLargerThanMss: (v) => `${v.from}发送的报文段最长 ${v.n1} 字节，超过了${v.to}通告的 ${v.n2} 字节 MSS：这是抓包主机上的分段卸载（TSO/GSO），不是协议错误`,
  diagSnaplenTruncated: (v) => `有 ${v.n1} 个报文被快照长度截断：首部完整，负载不完整`,
};

const ROLE: Record<Lang, { client: string; server: string }> = {
  en: { client: 'client', server: 'server' },
  zh: { client: '客户端', server: '服务器' },
};

export const TABLES: Record<Lang, Table> = { en, zh };

/** The sentence for `key` in `lang`; `from`/`to` are roles ('client' | 'server'). */
export function message(lang: Lang, key: string, from: 'client' | 'server', n1 = 0, n2 = 0, n3 = 0): string {
  const fn = TABLES[lang][key];
  if (fn === undefined) throw new Error(`no message "${key}" in the ${lang} table`);
  const to = from === 'client' ? 'server' : 'client';
  return fn({ from: ROLE[lang][from], to: ROLE[lang][to], n1, n2, n3 });
}

/** The word for a role ('client' | 'server') in a language. */
export function roleName(lang: Lang, role: 'client' | 'server'): string {
  return ROLE[lang][role];
}
