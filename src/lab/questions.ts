/**
 * The questions of the classic TCP lab that a capture can answer, as the keys of an answers
 * file (one key per question), with their text in English and Chinese, the kind of value
 * expected, and whether the raw sequence number is required. `lab --template` writes them;
 * `grade` reads and checks answers files with these keys (./answers.ts, ./grade.ts).
 *
 * H-numbers are those of docs/lab.md (v7 and v8/9 lab question numbers differ).
 */
import { stringify } from 'yaml';
import type { Lang } from '../i18n/messages.js';

export type Kind =
  | 'ip' | 'int' | 'seq' | 'bool' | 'count' | 'seqList' | 'intList' | 'frameList' | 'timeList' | 'rttList' | 'throughput' | 'role';

export interface Question {
  key: string;
  /** The lab question (docs/lab.md numbering). */
  id: string;
  kind: Kind;
  /** Sequence-number questions: whether the raw number is required by default (v8/9 wording). */
  raw?: 'required' | 'either';
  /** A list whose length is the -n segment count. */
  perSegment?: boolean;
  text: Record<Lang, (o: QuestionTextOptions) => string>;
}

export interface QuestionTextOptions {
  segments: number;
  alpha: number;
  /** Raw sequence numbers required where the question says so (false: raw or relative accepted everywhere). */
  rawRequired: boolean;
  /** What "length" means in H12: TCP payload (default) or TCP header + payload. */
  lengths: 'payload' | 'tcp';
}

const rawEn = (o: QuestionTextOptions): string => (o.rawRequired ? 'the raw number carried in the TCP header, not Wireshark\'s relative number and not the frame number' : 'raw or relative');
const rawZh = (o: QuestionTextOptions): string => (o.rawRequired ? 'TCP 首部中的原始序号，不是 Wireshark 的相对序号，也不是帧编号' : '原始或相对序号均可');

export const QUESTIONS: readonly Question[] = [
  { key: 'client_ip', id: 'H1', kind: 'ip', text: { en: () => 'IP address of the client (the host that sent the SYN and uploads the file)', zh: () => '客户端（发送 SYN、上传文件的主机）的 IP 地址' } },
  { key: 'client_port', id: 'H1', kind: 'int', text: { en: () => 'TCP port number of the client', zh: () => '客户端的 TCP 端口号' } },
  { key: 'server_ip', id: 'H2', kind: 'ip', text: { en: () => 'IP address of the server', zh: () => '服务器的 IP 地址' } },
  { key: 'server_port', id: 'H2', kind: 'int', text: { en: () => 'TCP port number of the server', zh: () => '服务器的 TCP 端口号' } },
  {
    key: 'syn_seq', id: 'H3', kind: 'seq', raw: 'required',
    text: { en: (o) => `Sequence number of the SYN segment that opens the connection (${rawEn(o)})`, zh: (o) => `建立连接的 SYN 报文段的序号（${rawZh(o)}）` },
  },
  { key: 'sack_permitted', id: 'H4', kind: 'bool', text: { en: () => 'Does the SYN say that SACK may be used? (true or false)', zh: () => 'SYN 报文段是否表明可以使用 SACK？（true 或 false）' } },
  {
    key: 'synack_seq', id: 'H5', kind: 'seq', raw: 'required',
    text: { en: (o) => `Sequence number of the SYN-ACK segment (${rawEn(o)})`, zh: (o) => `SYN-ACK 报文段的序号（${rawZh(o)}）` },
  },
  {
    key: 'synack_ack', id: 'H5', kind: 'seq', raw: 'required',
    text: { en: (o) => `Acknowledgement number of the SYN-ACK segment (${rawEn(o)})`, zh: (o) => `SYN-ACK 报文段的确认号（${rawZh(o)}）` },
  },
  {
    key: 'post_seq', id: 'H6', kind: 'seq', raw: 'either',
    text: { en: () => 'Sequence number of the segment containing the HTTP POST command (raw or relative)', zh: () => '包含 HTTP POST 命令的报文段的序号（原始或相对序号均可）' },
  },
  { key: 'post_len', id: 'H7', kind: 'int', text: { en: () => 'Number of payload (TCP data) bytes in that segment', zh: () => '该报文段中的载荷（TCP 数据）字节数' } },
  {
    key: 'segment_seqs', id: 'H8', kind: 'seqList', raw: 'either', perSegment: true,
    text: { en: (o) => `Sequence numbers of the first ${o.segments} data segments sent by the client (list; raw or relative)`, zh: (o) => `客户端发送的前 ${o.segments} 个数据报文段的序号（列表；原始或相对序号均可）` },
  },
  {
    key: 'segment_sent', id: 'H9', kind: 'timeList', perSegment: true,
    text: { en: (o) => `Time each of those ${o.segments} segments was sent (seconds since the first frame; list)`, zh: (o) => `这 ${o.segments} 个报文段各自的发送时间（相对第一帧的秒数；列表）` },
  },
  {
    key: 'segment_acked', id: 'H9', kind: 'timeList', perSegment: true,
    text: { en: () => 'Time the ACK of each of those segments was received (seconds; list)', zh: () => '每个报文段的 ACK 到达的时间（秒；列表）' },
  },
  {
    key: 'sample_rtt', id: 'H10', kind: 'rttList', perSegment: true,
    text: { en: () => 'SampleRTT of each of those segments (seconds; list)', zh: () => '每个报文段的 SampleRTT（秒；列表）' },
  },
  {
    key: 'estimated_rtt', id: 'H11', kind: 'rttList', perSegment: true,
    text: {
      en: (o) => `EstimatedRTT after each of those segments, alpha = ${o.alpha}, starting at the first SampleRTT (seconds; list, or the last value alone)`,
      zh: (o) => `每个报文段之后的 EstimatedRTT，alpha = ${o.alpha}，初值为第一个 SampleRTT（秒；列表，或只给最后一个值）`,
    },
  },
  {
    key: 'segment_lengths', id: 'H12', kind: 'intList', perSegment: true,
    text: {
      en: (o) => `Length of each of those segments: ${o.lengths === 'tcp' ? 'TCP header + payload' : 'TCP payload'} in bytes (list)`,
      zh: (o) => `这些报文段各自的长度：${o.lengths === 'tcp' ? 'TCP 首部 + 载荷' : 'TCP 载荷'}字节数（列表）`,
    },
  },
  {
    key: 'min_window', id: 'H13', kind: 'int',
    text: {
      en: () => 'Minimum buffer space (receive window) advertised by the receiver of the data, the server, over the whole connection, in bytes',
      zh: () => '整个连接中数据接收方（服务器）通告的最小可用缓存空间（接收窗口），单位字节',
    },
  },
  {
    key: 'sender_throttled', id: 'H13', kind: 'bool',
    text: { en: () => 'Did the lack of receiver buffer space ever throttle the sender? (true or false)', zh: () => '接收方缓存不足是否曾限制发送方？（true 或 false）' },
  },
  {
    key: 'retransmissions', id: 'H14', kind: 'count',
    text: { en: () => 'How many segments were retransmitted? (a number, 0 for none)', zh: () => '有多少个报文段被重传？（数字，没有则填 0）' },
  },
  {
    key: 'typical_acked_bytes', id: 'H15', kind: 'int',
    text: { en: () => 'How many bytes does the receiver typically acknowledge in one ACK?', zh: () => '接收方的一个 ACK 通常确认多少字节？' },
  },
  {
    key: 'cumulative_ack_frames', id: 'H15', kind: 'frameList',
    text: {
      en: () => 'Frame numbers of ACKs that acknowledge two or more segments at once (list; [] for none)',
      zh: () => '一次确认两个或更多报文段的 ACK 的帧编号（列表；没有则填 []）',
    },
  },
  {
    key: 'throughput', id: 'H16', kind: 'throughput',
    text: {
      en: () => 'Throughput of the connection: bytes per second, or a value with its unit such as "12.5 KB/s" or "100 kbit/s"',
      zh: () => '连接的吞吐量：字节/秒，或带单位的值，例如 "12.5 KB/s" 或 "100 kbit/s"',
    },
  },
  {
    key: 'handshake_frames', id: 'H20', kind: 'frameList',
    text: { en: () => 'Frame numbers of the three-way handshake: SYN, SYN-ACK, ACK (list)', zh: () => '三次握手的帧编号：SYN、SYN-ACK、ACK（列表）' },
  },
  {
    key: 'active_closer', id: 'H21', kind: 'role',
    text: { en: () => 'Which side closed the connection first: client, server, or none', zh: () => '哪一方先关闭连接：client、server 或 none' },
  },
  {
    key: 'time_wait', id: 'H21', kind: 'role',
    text: { en: () => 'Which side ends in TIME_WAIT: client, server, both, or none', zh: () => '哪一方最后进入 TIME_WAIT：client、server、both 或 none' },
  },
];

export const QUESTION_KEYS: ReadonlySet<string> = new Set(QUESTIONS.map((q) => q.key));

const INTRO: Record<Lang, (o: QuestionTextOptions) => string[]> = {
  en: (o) => [
    'TCP lab answers (tcpflow-explain grade). Replace each null by your answer; leave null to skip a question.',
    'Times are seconds since the first frame of your capture (Wireshark\'s Time column).',
    `Lists are written [a, b, c]; per-segment lists have ${o.segments} values, in the order the segments were sent.`,
  ],
  zh: (o) => [
    'TCP 实验答案（tcpflow-explain grade）。把每个 null 换成你的答案；保留 null 表示不作答。',
    '时间为相对你的抓包第一帧的秒数（Wireshark 的 Time 列）。',
    `列表写作 [a, b, c]；按报文段作答的列表有 ${o.segments} 个值，按发送顺序排列。`,
  ],
};

/** The answers file students fill in: YAML with the questions as comments, or JSON with a `_questions` map. */
export function answersTemplate(lang: Lang, o: QuestionTextOptions, format: 'yaml' | 'json'): string {
  if (format === 'json') {
    const doc: Record<string, unknown> = { _about: INTRO[lang](o).join(' '), _questions: Object.fromEntries(QUESTIONS.map((q) => [q.key, `${q.id}. ${q.text[lang](o)}`])) };
    for (const q of QUESTIONS) doc[q.key] = null;
    return JSON.stringify(doc, null, 2) + '\n';
  }
  const lines = INTRO[lang](o).map((l) => `# ${l}`);
  for (const q of QUESTIONS) {
    lines.push('', `# ${q.id}. ${q.text[lang](o)}`, stringify({ [q.key]: null }).trimEnd());
  }
  return lines.join('\n') + '\n';
}
