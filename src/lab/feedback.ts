/**
 * Grading feedback, English and Chinese: one sentence per verdict. A mistake code names the
 * usual student error (research/users.md §1.3) so that a teacher can count them; the sentence
 * says what was given, why it is not the answer, and what the answer is.
 */
import type { Lang } from '../i18n/messages.js';

export const MISTAKES = [
  'correct', 'correct-relative', 'unanswered', 'wrong', 'not-applicable',
  'swapped-endpoints', 'other-connection', 'relative-not-raw', 'frame-number', 'isn-not-plus-one',
  'last-post-segment', 'frame-length', 'tcp-length', 'payload-not-tcp-length', 'absolute-time',
  'next-client-packet-as-ack', 'plain-average', 'shifted-by-one', 'wrong-direction-window',
  'unscaled-window', 'max-not-min', 'throughput-bits', 'throughput-no-unit', 'throughput-interval',
] as const;
export type Mistake = (typeof MISTAKES)[number];

/** x: the expected answer as text; e: an extra detail (a frame, a factor, an interval). */
type Table = Record<Mistake, (x: string, e: string) => string>;

const en: Table = {
  correct: () => 'correct',
  'correct-relative': (x) => `correct (relative number; the raw one is ${x})`,
  unanswered: (x) => `no answer; expected ${x}`,
  wrong: (x) => `expected ${x}`,
  'not-applicable': () => 'not in this capture (not graded)',
  'swapped-endpoints': (x) => `that is the other end of the connection; expected ${x} (the client is the side that sent the SYN)`,
  'other-connection': (x, e) => `that belongs to another connection of the capture (${e}); the lab's connection is the one carrying the upload: ${x}`,
  'relative-not-raw': (x) => `that is Wireshark's relative number; the question asks for the raw number carried in the TCP header: ${x}`,
  'frame-number': (x) => `that is a frame number (Wireshark's No. column), not a sequence number; expected ${x}`,
  'isn-not-plus-one': (x) => `that is the client's initial sequence number; the acknowledgement number is ISN + 1 = ${x}, because the SYN takes up one sequence number`,
  'last-post-segment': (x, e) => `that is the last segment of the request (frame ${e}, where Wireshark shows the reassembled POST); the question asks for the segment that carries the POST header: ${x}`,
  'frame-length': (x) => `that is the frame length (the whole Ethernet frame with its IP and TCP headers); expected ${x}`,
  'tcp-length': (x) => `that is the TCP segment length (TCP header + payload); the payload alone is ${x}`,
  'payload-not-tcp-length': (x) => `that is the payload alone; the question asks for TCP header + payload: ${x}`,
  'absolute-time': (x) => `that is a clock time; give seconds since the first frame of the capture (Wireshark's Time column): ${x}`,
  'next-client-packet-as-ack': (x) => `that is when the client sent its next packet; the ACK is the first server segment whose acknowledgement number reaches seq + len: ${x}`,
  'plain-average': (x) => `that is the plain average of the SampleRTTs; EstimatedRTT is the weighted average (1 − α)·EstimatedRTT + α·SampleRTT: ${x}`,
  'shifted-by-one': (x) => `the values are shifted by one segment; expected ${x}`,
  'wrong-direction-window': (x) => `that is the window the client advertises; the receiver of the data is the server, whose minimum is ${x}`,
  'unscaled-window': (x, e) => `that is the window field without the scale factor (× ${e}); the window in bytes is ${x}`,
  'max-not-min': (x) => `that is the maximum; the minimum is ${x}`,
  'throughput-bits': (x) => `that is bits per second (8 × the bytes); in bytes per second the throughput is ${x}`,
  'throughput-no-unit': (x) => `a number without a unit is read as bytes/s, and this one looks like KB/s: write the unit; expected ${x}`,
  'throughput-interval': (x, e) => `close, but measured over another interval (${e}); measure from the first data segment to the ACK of the last data byte: ${x}`,
};

const zh: Table = {
  correct: () => '正确',
  'correct-relative': (x) => `正确（相对序号；原始序号为 ${x}）`,
  unanswered: (x) => `未作答；答案为 ${x}`,
  wrong: (x) => `答案为 ${x}`,
  'not-applicable': () => '此抓包中没有（不计分）',
  'swapped-endpoints': (x) => `那是连接的另一端；答案为 ${x}（客户端是发送 SYN 的一方）`,
  'other-connection': (x, e) => `那属于抓包中的另一条连接（${e}）；实验的连接是承载上传数据的那条：${x}`,
  'relative-not-raw': (x) => `那是 Wireshark 的相对序号；题目要求 TCP 首部中的原始序号：${x}`,
  'frame-number': (x) => `那是帧编号（Wireshark 的 No. 列），不是序号；答案为 ${x}`,
  'isn-not-plus-one': (x) => `那是客户端的初始序号；确认号是 ISN + 1 = ${x}，因为 SYN 占用一个序号`,
  'last-post-segment': (x, e) => `那是请求的最后一个报文段（帧 ${e}，Wireshark 在那里显示重组后的 POST）；题目问的是携带 POST 首部的报文段：${x}`,
  'frame-length': (x) => `那是帧长（包括 IP 和 TCP 首部的整个以太网帧）；答案为 ${x}`,
  'tcp-length': (x) => `那是 TCP 报文段长度（TCP 首部 + 载荷）；仅载荷为 ${x}`,
  'payload-not-tcp-length': (x) => `那只是载荷；题目要求 TCP 首部 + 载荷：${x}`,
  'absolute-time': (x) => `那是时钟时间；请给出相对抓包第一帧的秒数（Wireshark 的 Time 列）：${x}`,
  'next-client-packet-as-ack': (x) => `那是客户端发送下一个分组的时间；ACK 是服务器发出的、确认号第一次达到 seq + len 的报文段：${x}`,
  'plain-average': (x) => `那是 SampleRTT 的简单平均；EstimatedRTT 是加权平均 (1 − α)·EstimatedRTT + α·SampleRTT：${x}`,
  'shifted-by-one': (x) => `数值错位了一个报文段；答案为 ${x}`,
  'wrong-direction-window': (x) => `那是客户端通告的窗口；数据的接收方是服务器，其最小值为 ${x}`,
  'unscaled-window': (x, e) => `那是未乘窗口扩大因子（× ${e}）的窗口字段；以字节计的窗口为 ${x}`,
  'max-not-min': (x) => `那是最大值；最小值为 ${x}`,
  'throughput-bits': (x) => `那是比特/秒（字节数的 8 倍）；以字节/秒计吞吐量为 ${x}`,
  'throughput-no-unit': (x) => `没有单位的数字按字节/秒理解，而这个值像是 KB/s：请写上单位；答案为 ${x}`,
  'throughput-interval': (x, e) => `接近，但用了另一个时间区间（${e}）；应从第一个数据报文段量到最后一个数据字节的 ACK：${x}`,
};

const LIST: Record<Lang, {
  summary: (ok: string, n: number, wrong: string) => string;
  extra: (n: number) => string;
  missing: (n: number) => string;
  /** Between the parts of a list's feedback. */
  sep: string;
  /** An expected relative number with its raw one: "1 (raw 232129013)". */
  withRaw: (rel: string, raw: string) => string;
  /** An expected throughput. */
  throughput: (bytesPerSecond: number, kbPerSecond: number) => string;
}> = {
  en: {
    summary: (ok, n, wrong) => `${ok} of ${n} right${wrong ? ` (wrong: ${wrong})` : ''}`,
    extra: (n) => `${n} value(s) beyond the ones asked were ignored`,
    missing: (n) => `${n} value(s) missing`,
    sep: '; ',
    withRaw: (rel, raw) => `${rel} (raw ${raw})`,
    throughput: (b, kb) => `${b} bytes/s (${kb} KB/s)`,
  },
  zh: {
    summary: (ok, n, wrong) => `${n} 个中对 ${ok} 个${wrong ? `（错误：${wrong}）` : ''}`,
    extra: (n) => `多出的 ${n} 个值被忽略`,
    missing: (n) => `缺少 ${n} 个值`,
    sep: '；',
    withRaw: (rel, raw) => `${rel}（原始 ${raw}）`,
    throughput: (b, kb) => `${b} 字节/秒（${kb} KB/s）`,
  },
};

export function feedback(lang: Lang, m: Mistake, expected: string, extra = ''): string {
  return (lang === 'zh' ? zh : en)[m](expected, extra);
}

export function listWords(lang: Lang): (typeof LIST)['en'] {
  return LIST[lang];
}

/** Words of the report. */
export const REPORT: Record<Lang, {
  title: (answers: string, capture: string, id: number, client: string, server: string) => string;
  known: (name: string, source: string) => string;
  score: (s: string, t: number, pct: string) => string;
  pass: (p: number) => string;
  fail: (p: number) => string;
  given: string;
  colon: string;
}> = {
  en: {
    title: (a, c, id, cl, sv) => `Grading ${a} against the key of ${c} (connection ${id}: ${cl} → ${sv})`,
    known: (n, s) => `this capture is the published trace ${n} (${s}), not the student's own capture`,
    score: (s, t, pct) => `Score: ${s} / ${t} (${pct} %)`,
    pass: (p) => `PASS (pass mark ${p} %)`,
    fail: (p) => `FAIL (pass mark ${p} %)`,
    given: 'given',
    colon: ': ',
  },
  zh: {
    title: (a, c, id, cl, sv) => `用 ${c} 的参考答案（连接 ${id}：${cl} → ${sv}）批改 ${a}`,
    known: (n, s) => `此抓包是公开发布的 ${n}（${s}），不是学生自己的抓包`,
    score: (s, t, pct) => `得分：${s} / ${t}（${pct} %）`,
    pass: (p) => `通过（及格线 ${p} %）`,
    fail: (p) => `未通过（及格线 ${p} %）`,
    given: '作答',
    colon: '：',
  },
};
