/**
 * The lab's sentences in English and Simplified Chinese (textbook terms: 三次握手, 四次挥手, 序号,
 * 确认号, 捎带确认, 累积确认, 接收窗口, 慢启动). Both tables implement the same interface, so the
 * compiler checks that every sentence exists in both languages.
 */
import type { Lang } from '../i18n/messages.js';

export type Role = 'client' | 'server';

export interface LabMessages {
  role(r: Role): string;
  connectionLine(id: number, client: string, server: string, payload: number): string;
  /**
   * `others`: the other connections listed (all, or those with the most payload), `more` those
   * not; `chosen`: the user selected connections (-s, --port, --host), `main` being the selected
   * one with the most payload.
   */
  otherConnections(file: string, main: string, others: string[], more: number, chosen: boolean): string;
  title(file: string, id: number): string;
  timesNote: string;
  knownTrace(name: string, source: string): string;
  noData: string;
  download(client: number, server: number): string;

  hEndpoints: string;
  client(ip: string, port: number, how: string): string;
  server(ip: string, port: number): string;
  clientBy(by: string): string;

  hSyn(frame: number): string;
  noSyn: string;
  synSeq(raw: number, rel: number): string;
  synWhy: string;
  options(mss: number | null, sack: boolean, ws: number | null): string;
  sackBoth(both: boolean): string;

  hSynAck(frame: number): string;
  noSynAck: string;
  synAckSeq(raw: number, rel: number): string;
  synAckAck(raw: number, rel: number, clientIsn: number | null): string;
  synAckWhy: string;
  handshakeAck(frame: number | null, irtt: number | null): string;

  hFirstData(frame: number): string;
  firstDataSeq(rel: number, raw: number, len: number): string;
  httpStart(line: string): string;
  requestEnd(frame: number, rel: number, raw: number, same: boolean): string;
  noHttp: string;

  hSegments(n: number, found: number): string;
  segHeader: string[];
  lengthsNote: string;
  ackRule: string;
  karnNote: string;
  ewma(alpha: number): string;
  ewmaExample(i: number, alpha: number, prev: string, sample: string, est: string): string;
  retransmittedSegment(frame: number): string;
  notAcked: string;

  hWindow: string;
  windowServer(min: number, minFrame: number, max: number, maxFrame: number): string;
  windowClient(min: number, minFrame: number, max: number, maxFrame: number): string;
  noWindow(r: Role): string;
  scaleNone: string;
  scaleUnknown: string;
  scaleUsed(r: Role, shift: number, unscaledMin: number): string;
  throttled(n: number): string;

  hRetrans: string;
  noRetrans: string;
  retransCount(n: number): string;
  retransLine(frame: number, from: Role, seq: number, len: number, names: string): string;
  repeated(frames: string): string;
  noRepeated: string;

  hAcks: string;
  typicalAck(bytes: number, count: number, total: number): string;
  cumulative(n: number, frames: string): string;
  noCumulative: string;
  noAcks: string;

  hThroughput: string;
  throughput(bytes: number, from: number, fromT: string, to: number, toT: string, seconds: string, acked: boolean): string;
  throughputValue(bytes: number, seconds: string, bps: string, kb: string, kbit: string): string;

  hRounds: string;
  roundsRule: string;
  roundLine(round: number, start: string, segments: number, first: number, last: number, bytes: number): string;
  moreRounds(n: number): string;

  hClose: string;
  handshake(kind: string, syn: number | null, synAck: number | null, ack: number | null): string;
  teardown(kind: string, frames: string, initiator: Role | null): string;
  noTeardown(client: string, server: string): string;
  timeWait(who: Role | 'both' | null): string;
}

const fmtFrames = (xs: (number | null)[]): string => xs.filter((x): x is number => x !== null).join(', ');

const en: LabMessages = {
  role: (r) => r,
  connectionLine: (id, c, s, n) => `${id} (${c} → ${s}, ${n} bytes of payload)`,
  otherConnections: (file, main, others, more, chosen) =>
    `${file}: the capture has ${others.length + more + 1} TCP connections; answering for connection ${main}, the ${chosen ? 'selected one' : 'one'} with the most payload. ` +
    (more === 0 ? `Others: ${others.join('; ')}.` : `Others with the most payload: ${others.join('; ')}; and ${more} more (\`tcpflow-explain --format summary ${file}\` lists them all).`) +
    ' Use -s ID to choose another.',
  title: (file, id) => `TCP lab answer key: ${file}, connection ${id}`,
  timesNote: 'Times are seconds since the first frame of the capture (Wireshark\'s default Time column).',
  knownTrace: (name, source) => `Note: this is the published trace ${name} (${source}), not a capture of your own.`,
  noData: 'The client sent no data in this connection: there is no data segment to answer about.',
  download: (c, s) => `Note: the server sent more data (${s} bytes) than the client (${c} bytes). The lab's questions are about the client's upload; the answers below follow the client's data.`,

  hEndpoints: '1. Client and server (H1, H2)',
  client: (ip, port, how) => `Client: ${ip}, port ${port} (${how}).`,
  server: (ip, port) => `Server: ${ip}, port ${port}.`,
  clientBy: (by) => (by === 'syn' ? 'it sent the SYN' : by === 'syn-ack' ? 'it received the SYN-ACK; its SYN was not captured' : `no SYN captured; inferred from the ports (${by})`),

  hSyn: (f) => `2. The SYN segment, frame ${f} (H3, H4)`,
  noSyn: '2. The SYN segment: not captured (the capture began after the handshake).',
  synSeq: (raw, rel) => `Sequence number ${raw} (raw, as carried in the TCP header; Wireshark shows it as relative ${rel}).`,
  synWhy: 'It is a SYN because the SYN flag is set and the ACK flag is not.',
  options: (mss, sack, ws) =>
    `Options: MSS ${mss ?? 'not given'}; SACK permitted: ${sack ? 'yes' : 'no'}; window scale: ${ws === null ? 'not offered' : `shift ${ws} (× ${2 ** ws})`}.`,
  sackBoth: (both) => (both ? 'Both sides offered SACK, so selective acknowledgements can be used.' : 'SACK needs both SYNs to offer it: it cannot be used here.'),

  hSynAck: (f) => `3. The SYN-ACK segment, frame ${f} (H5)`,
  noSynAck: '3. The SYN-ACK segment: not captured.',
  synAckSeq: (raw, rel) => `Sequence number ${raw} (raw; relative ${rel}): the server's own initial sequence number.`,
  synAckAck: (raw, rel, isn) =>
    isn === null
      ? `Acknowledgement number ${raw} (raw; relative ${rel}).`
      : `Acknowledgement number ${raw} (raw; relative ${rel}) = client ISN ${isn} + 1: the SYN takes up one sequence number, so the server expects byte ${raw} next.`,
  synAckWhy: 'It is a SYN-ACK because both the SYN and the ACK flags are set.',
  handshakeAck: (f, irtt) => (f === null ? 'The final ACK of the handshake was not captured.' : `The client's ACK in frame ${f} completes the handshake${irtt === null ? '' : ` (initial RTT ${irtt.toFixed(6)} s)`}.`),

  hFirstData: (f) => `4. The first data segment, frame ${f} (H6, H7)`,
  firstDataSeq: (rel, raw, len) => `Sequence number ${rel} relative (${raw} raw); ${len} bytes of payload.`,
  httpStart: (line) => `Its payload starts the HTTP request "${line}": this segment is the answer to "the segment containing the HTTP ${line.split(' ')[0]} command".`,
  requestEnd: (f, rel, raw, same) =>
    same
      ? 'The whole request fits in this segment.'
      : `Wireshark labels frame ${f} (seq ${rel}, raw ${raw}) with the request because that is where the request is complete (reassembled); it is the last segment of the request, not the one that carries its header.`,
  noHttp: 'Its payload does not start with an HTTP request line.',

  hSegments: (n, found) => `5. The first ${n} data segments of the client${found < n ? ` (only ${found} in the capture)` : ''} (H8–H12)`,
  segHeader: ['No.', 'frame', 'seq', 'raw seq', 'sent', 'len', 'TCP len', 'frame len', 'ACK frame', 'ACKed at', 'SampleRTT', 'EstimatedRTT'],
  lengthsNote: 'len = TCP payload; TCP len = TCP header + payload (the TCP segment); frame len = the whole frame as captured on the wire.',
  ackRule: 'A segment is acknowledged by the first server segment whose cumulative acknowledgement number reaches its seq + len (not by the next packet in the list).',
  karnNote: 'No SampleRTT for a retransmitted segment (Karn\'s rule: the ACK could answer either copy).',
  ewma: (a) => `EstimatedRTT = (1 − α) × EstimatedRTT + α × SampleRTT with α = ${a}, starting at the first SampleRTT (a weighted average, not the plain mean).`,
  ewmaExample: (i, a, prev, sample, est) => `For example, segment ${i}: ${1 - a} × ${prev} + ${a} × ${sample} = ${est}.`,
  retransmittedSegment: (f) => `frame ${f} is a retransmission`,
  notAcked: 'never acknowledged in the capture',

  hWindow: '6. Receive window, flow control (H13)',
  windowServer: (min, mf, max, xf) =>
    `Advertised by the server, the receiver of the upload (this is the window that can hold the client back): minimum ${min} bytes (frame ${mf}), maximum ${max} bytes (frame ${xf}).`,
  windowClient: (min, mf, max, xf) => `Advertised by the client (the other direction, for data the server sends): minimum ${min} bytes (frame ${mf}), maximum ${max} bytes (frame ${xf}).`,
  noWindow: (r) => `No segment from the ${r} advertises a window.`,
  scaleNone: 'Window scaling is not in use: the windows are the 16-bit field as carried.',
  scaleUnknown: 'The handshake is not in the capture, so the window scale is unknown: the windows are the 16-bit field as carried (as Wireshark shows them), possibly smaller than the real ones.',
  scaleUsed: (r, s, u) =>
    `The ${r}'s windows are scaled: the field is multiplied by ${2 ** s} (shift ${s} from its SYN; a SYN's own window is never scaled). The smallest field the ${r} sends is ${u}, which is not the window in bytes.`,
  throttled: (n) =>
    n === 0
      ? 'The client was never held back by the receive window: Wireshark flags no "window full" segment.'
      : `The receive window throttled the client: ${n} segment(s) filled the advertised window (Wireshark: window full).`,

  hRetrans: '7. Retransmissions (H14)',
  noRetrans: 'None.',
  retransCount: (n) => `${n} retransmission(s):`,
  retransLine: (f, from, seq, len, names) => `frame ${f}: ${from}, seq ${seq}, ${len} bytes (${names})`,
  repeated: (frames) => `Client data segments that repeat sequence numbers already sent: frames ${frames}.`,
  noRepeated: 'Checked two ways: Wireshark\'s analysis flags (tcp.analysis.retransmission) mark no segment, and no client data segment repeats a sequence number already sent (the sequence numbers only grow).',

  hAcks: '8. Bytes acknowledged per ACK (H15)',
  typicalAck: (b, n, t) => `The server's ACKs most often acknowledge ${b} bytes (${n} of ${t} ACKs that acknowledge new data).`,
  cumulative: (n, frames) => `${n} ACK(s) acknowledge two or more segments at once (cumulative acknowledgement, e.g. a delayed ACK for every other segment): frames ${frames}.`,
  noCumulative: 'Every ACK acknowledges at most one segment: no ACK covers two segments.',
  noAcks: 'No ACK from the server acknowledges client data.',

  hThroughput: '9. Throughput (H16)',
  throughput: (bytes, from, ft, to, tt, s, acked) =>
    `${bytes} bytes of the client's sequence space, from the first data segment (frame ${from}, sent at ${ft} s) to ${acked ? `the ACK of the last data byte (frame ${to}, ${tt} s)` : `the last data segment (frame ${to}, ${tt} s; its ACK was not captured)`}: ${s} s.`,
  throughputValue: (b, s, bps, kb, kbit) => `Throughput = ${b} / ${s} = ${bps} bytes/s ≈ ${kb} KB/s (${kbit} kbit/s; 1 KB = 1000 bytes).`,

  hRounds: '10. Slow start: segments sent per round trip (H17, H18)',
  roundsRule: 'A round starts with a segment and ends when that segment\'s ACK arrives; the segments sent in between are one fleet.',
  roundLine: (r, st, n, f, l, b) => `round ${r} at ${st} s: ${n} segment${n === 1 ? '' : 's'}, ${f === l ? `frame ${f}` : `frames ${f}–${l}`}, ${b} bytes`,
  moreRounds: (n) => `… ${n} more round(s)`,

  hClose: '11. Connection set-up and tear-down (H20, H21)',
  handshake: (kind, s, sa, a) =>
    kind === 'three-way' ? `Three-way handshake: frames ${fmtFrames([s, sa, a])} (SYN, SYN-ACK, ACK).` : `Handshake: ${kind} (frames ${fmtFrames([s, sa, a]) || 'none'}).`,
  teardown: (kind, frames, who) => {
    const k = kind === 'four-way' ? 'four-way (FIN, ACK, FIN, ACK)' : kind === 'three-way' ? 'three segments (FIN, FIN+ACK, ACK)' : kind;
    return `Tear-down: ${k}, frames ${frames}; ${who === null ? 'no side' : `the ${who}`} closed first (active close).`;
  },
  noTeardown: (c, s) => `No FIN or RST was captured: the connection is still open at the end of the capture (client ${c}, server ${s}).`,
  timeWait: (who) =>
    who === null
      ? 'Neither side is in TIME_WAIT at the end of the capture.'
      : who === 'both'
        ? 'Both sides end in TIME_WAIT (inferred: they closed at the same time; TIME_WAIT lasts 2·MSL and sends nothing, so the capture cannot show it).'
        : `The ${who} ends in TIME_WAIT (inferred: the side that closed first waits 2·MSL after the last ACK; that sends nothing, so the capture cannot show it).`,
};

const ROLE_ZH: Record<Role, string> = { client: '客户端', server: '服务器' };
const TEARDOWN_ZH: Record<string, string> = {
  'four-way': '四次挥手（FIN、ACK、FIN、ACK）', 'three-way': '三次挥手（FIN、FIN+ACK 捎带确认、ACK）',
  simultaneous: '同时关闭', reset: 'RST 复位', 'half-closed': '半关闭', none: '无',
};

const zh: LabMessages = {
  role: (r) => ROLE_ZH[r],
  connectionLine: (id, c, s, n) => `${id}（${c} → ${s}，载荷 ${n} 字节）`,
  otherConnections: (file, main, others, more, chosen) =>
    `${file}：抓包中有 ${others.length + more + 1} 条 TCP 连接；按${chosen ? '所选连接中' : ''}载荷最多的连接 ${main}作答。` +
    (more === 0 ? `其他连接：${others.join('；')}。` : `载荷最多的其他连接：${others.join('；')}；另有 ${more} 条（\`tcpflow-explain --format summary ${file}\` 列出全部）。`) +
    '用 -s ID 选择其他连接。',
  title: (file, id) => `TCP 实验参考答案：${file}，连接 ${id}`,
  timesNote: '时间为相对抓包第一帧的秒数（Wireshark 默认的 Time 列）。',
  knownTrace: (name, source) => `注意：这是公开发布的抓包 ${name}（${source}），不是你自己抓的包。`,
  noData: '客户端在此连接中没有发送数据：没有可以作答的数据报文段。',
  download: (c, s) => `注意：服务器发送的数据（${s} 字节）比客户端（${c} 字节）多。实验题目针对的是客户端的上传；以下答案按客户端的数据作答。`,

  hEndpoints: '1. 客户端与服务器（H1、H2）',
  client: (ip, port, how) => `客户端：${ip}，端口 ${port}（${how}）。`,
  server: (ip, port) => `服务器：${ip}，端口 ${port}。`,
  clientBy: (by) => (by === 'syn' ? '它发送了 SYN' : by === 'syn-ack' ? '它收到了 SYN-ACK；它的 SYN 未被抓到' : `未抓到 SYN；根据端口推断（${by}）`),

  hSyn: (f) => `2. SYN 报文段，帧 ${f}（H3、H4）`,
  noSyn: '2. SYN 报文段：未抓到（抓包开始于三次握手之后）。',
  synSeq: (raw, rel) => `序号 ${raw}（原始序号，即 TCP 首部中的值；Wireshark 默认显示为相对序号 ${rel}）。`,
  synWhy: '它是 SYN 报文段，因为 SYN 标志置 1 而 ACK 标志为 0。',
  options: (mss, sack, ws) =>
    `选项：MSS ${mss ?? '未给出'}；允许 SACK：${sack ? '是' : '否'}；窗口扩大因子：${ws === null ? '未提供' : `移位 ${ws}（× ${2 ** ws}）`}。`,
  sackBoth: (both) => (both ? '双方都提供了 SACK，因此可以使用选择确认。' : 'SACK 需要双方的 SYN 都提供：此处不能使用。'),

  hSynAck: (f) => `3. SYN-ACK 报文段，帧 ${f}（H5）`,
  noSynAck: '3. SYN-ACK 报文段：未抓到。',
  synAckSeq: (raw, rel) => `序号 ${raw}（原始；相对 ${rel}）：服务器自己的初始序号。`,
  synAckAck: (raw, rel, isn) =>
    isn === null
      ? `确认号 ${raw}（原始；相对 ${rel}）。`
      : `确认号 ${raw}（原始；相对 ${rel}）= 客户端初始序号 ${isn} + 1：SYN 占用一个序号，所以服务器期望接收的下一个字节是 ${raw}。`,
  synAckWhy: '它是 SYN-ACK 报文段，因为 SYN 和 ACK 标志都置 1。',
  handshakeAck: (f, irtt) => (f === null ? '三次握手的最后一个 ACK 未被抓到。' : `帧 ${f} 中客户端的 ACK 完成三次握手${irtt === null ? '' : `（初始 RTT ${irtt.toFixed(6)} 秒）`}。`),

  hFirstData: (f) => `4. 第一个数据报文段，帧 ${f}（H6、H7）`,
  firstDataSeq: (rel, raw, len) => `相对序号 ${rel}（原始序号 ${raw}）；载荷 ${len} 字节。`,
  httpStart: (line) => `它的载荷是 HTTP 请求 "${line}" 的开头："包含 HTTP ${line.split(' ')[0]} 命令的报文段"指的就是这个报文段。`,
  requestEnd: (f, rel, raw, same) =>
    same
      ? '整个请求都在这个报文段中。'
      : `Wireshark 在帧 ${f}（序号 ${rel}，原始 ${raw}）上标出该请求，因为请求在那里才完整（重组完成）；它是请求的最后一个报文段，而不是携带请求首部的那个。`,
  noHttp: '它的载荷不是以 HTTP 请求行开头的。',

  hSegments: (n, found) => `5. 客户端的前 ${n} 个数据报文段${found < n ? `（抓包中只有 ${found} 个）` : ''}（H8–H12）`,
  segHeader: ['序', '帧', '序号', '原始序号', '发送时间', '载荷', 'TCP长度', '帧长', '确认帧', '确认时间', 'SampleRTT', 'EstimatedRTT'],
  lengthsNote: '载荷 = TCP 数据部分长度；TCP长度 = TCP 首部 + 载荷（整个 TCP 报文段）；帧长 = 线路上的整个帧。',
  ackRule: '某报文段的确认是服务器发出的、累积确认号第一次达到 seq + len 的报文段（不是列表中的下一个分组）。',
  karnNote: '重传的报文段没有 SampleRTT（Karn 算法：无法判断 ACK 确认的是哪一次发送）。',
  ewma: (a) => `EstimatedRTT = (1 − α) × EstimatedRTT + α × SampleRTT，α = ${a}，初值为第一个 SampleRTT（指数加权移动平均，不是简单平均）。`,
  ewmaExample: (i, a, prev, sample, est) => `例如第 ${i} 个报文段：${1 - a} × ${prev} + ${a} × ${sample} = ${est}。`,
  retransmittedSegment: (f) => `帧 ${f} 是重传`,
  notAcked: '抓包中未被确认',

  hWindow: '6. 接收窗口，流量控制（H13）',
  windowServer: (min, mf, max, xf) =>
    `服务器（上传数据的接收方）通告的窗口，即可能限制客户端发送的窗口：最小 ${min} 字节（帧 ${mf}），最大 ${max} 字节（帧 ${xf}）。`,
  windowClient: (min, mf, max, xf) => `客户端通告的窗口（另一个方向，用于服务器发送的数据）：最小 ${min} 字节（帧 ${mf}），最大 ${max} 字节（帧 ${xf}）。`,
  noWindow: (r) => `${ROLE_ZH[r]}没有发送通告窗口的报文段。`,
  scaleNone: '未使用窗口扩大选项：窗口就是首部中 16 位字段的值。',
  scaleUnknown: '抓包中没有三次握手，窗口扩大因子未知：窗口是首部中 16 位字段的值（与 Wireshark 显示的一致），可能小于实际窗口。',
  scaleUsed: (r, s, u) =>
    `${ROLE_ZH[r]}的窗口经过扩大：字段值乘以 ${2 ** s}（其 SYN 中的移位 ${s}；SYN 自身的窗口不扩大）。${ROLE_ZH[r]}发送的最小字段值为 ${u}，这不是以字节计的窗口。`,
  throttled: (n) =>
    n === 0 ? '接收窗口从未限制客户端发送：Wireshark 没有标出 "window full" 的报文段。' : `接收窗口限制了客户端：${n} 个报文段填满了通告窗口（Wireshark：window full）。`,

  hRetrans: '7. 重传（H14）',
  noRetrans: '没有。',
  retransCount: (n) => `${n} 次重传：`,
  retransLine: (f, from, seq, len, names) => `帧 ${f}：${ROLE_ZH[from]}，序号 ${seq}，${len} 字节（${names}）`,
  repeated: (frames) => `重复了已发送序号的客户端数据报文段：帧 ${frames}。`,
  noRepeated: '用两种方法检查：Wireshark 的分析标志（tcp.analysis.retransmission）没有标出任何报文段，且客户端的数据报文段没有重复已发送过的序号（序号只增不减）。',

  hAcks: '8. 每个 ACK 确认的字节数（H15）',
  typicalAck: (b, n, t) => `服务器的 ACK 最常确认 ${b} 字节（在 ${t} 个确认新数据的 ACK 中占 ${n} 个）。`,
  cumulative: (n, frames) => `${n} 个 ACK 一次确认两个或更多报文段（累积确认，例如每隔一个报文段发送的延迟确认）：帧 ${frames}。`,
  noCumulative: '每个 ACK 最多确认一个报文段：没有一个 ACK 同时确认两个报文段。',
  noAcks: '服务器没有确认客户端数据的 ACK。',

  hThroughput: '9. 吞吐量（H16）',
  throughput: (bytes, from, ft, to, tt, s, acked) =>
    `客户端序号空间中的 ${bytes} 字节，从第一个数据报文段（帧 ${from}，${ft} 秒发送）到${acked ? `最后一个数据字节的 ACK（帧 ${to}，${tt} 秒）` : `最后一个数据报文段（帧 ${to}，${tt} 秒；其 ACK 未被抓到）`}：共 ${s} 秒。`,
  throughputValue: (b, s, bps, kb, kbit) => `吞吐量 = ${b} / ${s} = ${bps} 字节/秒 ≈ ${kb} KB/s（${kbit} kbit/s；1 KB = 1000 字节）。`,

  hRounds: '10. 慢启动：每个往返时间发送的报文段（H17、H18）',
  roundsRule: '一轮从某个报文段开始，到该报文段的 ACK 到达时结束；其间发送的报文段为一批。',
  roundLine: (r, st, n, f, l, b) => `第 ${r} 轮，${st} 秒：${n} 个报文段，帧 ${f === l ? f : `${f}–${l}`}，${b} 字节`,
  moreRounds: (n) => `…… 另有 ${n} 轮`,

  hClose: '11. 连接的建立与释放（H20、H21）',
  handshake: (kind, s, sa, a) =>
    kind === 'three-way' ? `三次握手：帧 ${fmtFrames([s, sa, a])}（SYN、SYN-ACK、ACK）。` : `握手：${kind}（帧 ${fmtFrames([s, sa, a]) || '无'}）。`,
  teardown: (kind, frames, who) =>
    `连接释放：${TEARDOWN_ZH[kind] ?? kind}，帧 ${frames}；${who === null ? '无' : ROLE_ZH[who]}先关闭（主动关闭）。`,
  noTeardown: (c, s) => `没有抓到 FIN 或 RST：抓包结束时连接仍然打开（客户端 ${c}，服务器 ${s}）。`,
  timeWait: (who) =>
    who === null
      ? '抓包结束时双方都不在 TIME_WAIT 状态。'
      : who === 'both'
        ? '双方都进入 TIME_WAIT（推断：双方同时关闭；TIME_WAIT 持续 2MSL 且不发送任何报文，抓包中看不到）。'
        : `${ROLE_ZH[who]}进入 TIME_WAIT（推断：先关闭的一方在最后一个 ACK 之后等待 2MSL；这期间不发送任何报文，抓包中看不到）。`,
};

export function labMessages(lang: Lang): LabMessages {
  return lang === 'zh' ? zh : en;
}
