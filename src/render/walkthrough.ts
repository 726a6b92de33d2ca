/**
 * `--format text` (the default): each connection told the way a Wireshark walkthrough tells it —
 * a header with the verdicts, the handshake as numbered steps (1/3, 2/3, 3/3) with relative and
 * raw numbers, each side's state and the note with the arithmetic, the data phase summarised,
 * the teardown as numbered steps down to TIME_WAIT and CLOSED, then capture-quality findings.
 * Renders what the model decided; decides nothing. Colour comes from the chalk instance given
 * (level 0 when stdout is not a terminal).
 */
import type { ChalkInstance } from 'chalk';
import { type Connection, clientFlow, serverFlow } from '../analyze/connection.js';
import type { PacketRecord, PacketRecords } from './json.js';
import {
  STATE_NAMES, NOTE_KEYS, N_NONE, PH_HANDSHAKE, PH_DATA, isTeardownStep, handshakeKind, teardownKind, isInferredState, type HandshakeKind, type TeardownKind,
} from '../analyze/story.js';
import { zeekConnState } from '../analyze/zeek.js';
import { diagnostics } from '../analyze/diagnostics.js';
import { ANALYSIS_NAMES, analysisNames } from '../analyze/flags.js';
import { message, roleName, type Lang } from '../i18n/messages.js';
import { endpointText, rttMs } from './endpoint.js';
import { ladder } from './ladder.js';
import { wiresharkFlags } from './elide.js';

export interface WalkthroughOptions {
  lang: Lang;
  /** Show raw sequence numbers first (`--absolute`). */
  absolute: boolean;
  /** List every packet of the data phase (`--verbose`). */
  verbose: boolean;
  chalk: ChalkInstance;
  /** Include the ladder diagram. */
  diagram: boolean;
  /** Terminal width for the diagram. */
  width: number;
}

/** Packets of the data phase listed without --verbose (those with analysis flags come first). */
const DATA_SAMPLE = 6;
/** Teardown and after-close packets listed at most. */
const TEARDOWN_MAX = 12;

const HK_KEY: Record<HandshakeKind, string> = {
  'three-way': 'kindThreeWay', 'simultaneous-open': 'kindSimultaneousOpen', refused: 'kindRefused',
  unanswered: 'kindUnanswered', incomplete: 'kindIncomplete', 'not-captured': 'kindNotCaptured',
};
const TK_KEY: Record<TeardownKind, string> = {
  'four-way': 'tkFourWay', 'three-way': 'tkThreeWay', simultaneous: 'tkSimultaneous', reset: 'tkReset',
  'half-closed': 'tkHalfClosed', none: 'tkNone',
};

/** The words of a step line in a language, looked up once (a big capture has millions of steps). */
interface Labels {
  frame: string;
  seq: string;
  ack: string;
  len: string;
  raw: string;
  rel: string;
  client: string;
  server: string;
  inferred: string;
  /** The language's colon and parentheses (full-width in Chinese). */
  colon: string;
  po: string;
  pc: string;
}

const LABELS = new Map<Lang, Labels>();

function labels(lang: Lang): Labels {
  let l = LABELS.get(lang);
  if (l === undefined) {
    const m = (key: string): string => message(lang, key, 'client');
    l = {
      frame: m('lFrame'), seq: m('lSeq'), ack: m('lAck'), len: m('lLen'), raw: m('lRaw'), rel: m('lRel'),
      client: roleName(lang, 'client'), server: roleName(lang, 'server'), inferred: m('wInferred'),
      colon: m('lColon'), po: m('lParenOpen'), pc: m('lParenClose'),
    };
    LABELS.set(lang, l);
  }
  return l;
}

/**
 * A step's flag list ("SYN, ACK"), in Wireshark's order and coloured, made once per flags value
 * and colour level: a big capture's walkthrough has millions of steps and a few dozen flag sets
 * (the walkthrough of short1m: 2.52 s -> 2.35 s, median of 5 interleaved runs).
 */
const FLAG_TEXT: (string | undefined)[][] = [[], [], [], []];

function flagText(bits: number, k: ChalkInstance): string {
  const cache = FLAG_TEXT[k.level];
  let text = cache[bits];
  if (text === undefined) {
    text = wiresharkFlags(bits).map((f) => (f === 'SYN' ? k.green(f) : f === 'FIN' ? k.yellow(f) : f === 'RST' ? k.red(f) : f)).join(', ');
    cache[bits] = text;
  }
  return text;
}

export function walkthrough(c: Connection, packets: PacketRecord[], o: WalkthroughOptions): string {
  const k = o.chalk;
  const L = labels(o.lang);
  const t = (key: string, from: 'client' | 'server' = 'client', n1 = 0, n2 = 0, n3 = 0): string => message(o.lang, key, from, n1, n2, n3);
  const role = (fromA: boolean): 'client' | 'server' => (fromA === c.clientIsA ? 'client' : 'server');
  const s = c.story;
  const out: string[] = [];
  const hk = handshakeKind(s);
  const tk = teardownKind(s);

  // --- header
  out.push(k.bold(`${t('wConnection')} #${c.id}  ${endpointText(c, true)} → ${endpointText(c, false)}`));
  const initiator = tk === 'reset' ? role(s.rstFromA) : s.fin1Frame > 0 ? role(s.fin1FromA) : null;
  out.push(
    // a continuation's handshake, when it has none, is in its connection's earlier record
    `  ${t('lHandshake')}${L.colon}${c.continued && hk === 'not-captured' ? t('wHandshakeEarlier', 'client', c.id) : t(HK_KEY[hk])} · ${t('lTeardown')}${L.colon}${t(TK_KEY[tk])}` +
      (initiator ? `${L.po}${t('wInitiator', initiator)}${L.pc}` : '') + ` · Zeek ${zeekConnState(c.zeek)} ${c.zeek.history}`,
  );
  const ms = rttMs(c, '');
  const irtt = ms === '' ? '' : ` · iRTT ${ms} ms`;
  out.push(`  ${t('wPackets', 'client', c.packets, Math.round((c.lastTime - c.firstTime) * 1e6))} · ${t('wBytes', 'client', clientFlow(c).payloadBytes, serverFlow(c).payloadBytes)}${irtt}`);
  const omitted = (packets as PacketRecords).omitted;
  if (omitted) out.push(k.yellow(`  ${t('wOmitted', 'client', omitted.count, omitted.fromFrame, omitted.toFrame)}`));
  if (c.continued) out.push(k.yellow(`  ${t('wContinued', 'client', c.id)}`));

  if (o.diagram && packets.length > 0) {
    out.push('');
    out.push(ladder(c, packets, k, o.absolute, o.width, o.lang).trimEnd());
  }

  // --- handshake
  // a step of the handshake that is also part of the teardown (the third segment carrying a FIN,
  // an evasion trace's early FIN) is listed in both
  const hs = packets.filter((p) => p.phase === PH_HANDSHAKE || p.frame === s.synFrame || p.frame === s.synAckFrame || p.frame === s.hsAckFrame);
  out.push('');
  out.push(k.bold(`  ${hk === 'simultaneous-open' ? t('wHandshakeSimultaneous')
    : hk === 'not-captured' ? (c.continued ? `${t('wHandshake')}${L.colon}${t('wHandshakeEarlier', 'client', c.id)}` : t('wHandshakeMissing')) : t('wHandshake')}`));
  // what a missing handshake means (the first packet's own note may say something else: a FIN, a RST)
  // (a continuation's numbers are its stream's: said in the header)
  if (hk === 'not-captured' && packets.length > 0 && !c.continued) out.push(`   ${t('midstream')}`);
  for (const p of hs) {
    const label = p.frame === s.synFrame ? '1/3' : p.frame === s.synAckFrame ? '2/3' : p.frame === s.hsAckFrame ? '3/3' : ' · ';
    step(label, p);
  }
  if (hk === 'refused' && s.refusedFrame > 0) {
    const p = packets.find((x) => x.frame === s.refusedFrame);
    if (p) step(' ✗ ', p);
  }
  const agreed = agreedText();
  if (agreed) out.push(`   ${t('wAgreed')}${L.colon}${agreed}`);

  // --- data
  const data = packets.filter((p) => p.phase === PH_DATA);
  if (data.length > 0) {
    out.push('');
    out.push(k.bold(`  ${t('wData')}`));
    for (const fromClient of [true, false]) {
      const mine = data.filter((p) => (p.fromA === c.clientIsA) === fromClient && p.len > 0);
      const bytes = mine.reduce((n, p) => n + p.len, 0);
      out.push(`   ${t('wSegments', fromClient ? 'client' : 'server', mine.length, bytes)}`);
    }
    const counts: string[] = [];
    for (let i = 0; i < ANALYSIS_NAMES.length; i++) {
      if (c.analysis[i] === 0) continue;
      const frames = packets.filter((p) => analysisNames(p.analysis).includes(ANALYSIS_NAMES[i])).map((p) => p.frame);
      const shown = frames.slice(0, 8).join(', ') + (frames.length > 8 ? ', …' : '');
      counts.push(`${k.red(ANALYSIS_NAMES[i])} ×${c.analysis[i]} (${shown})`);
    }
    if (counts.length > 0) out.push(`   ${t('wAnalysis')}${L.colon}${counts.join('; ')}`);
    // data packets of the teardown's story are listed with it (isTeardownStep)
    const own = data.filter((p) => !isTeardownStep(p, s));
    const listed = o.verbose ? own : own.filter((p) => p.note !== N_NONE).slice(0, DATA_SAMPLE);
    for (const p of listed) step(' · ', p);
    const rest = own.length - listed.length;
    if (rest > 0) out.push(k.dim(`   ${t('wMore', 'client', rest)}`));
  }

  // --- teardown
  const td = packets.filter((p) => isTeardownStep(p, s));
  if (td.length > 0) {
    out.push('');
    out.push(k.bold(`  ${t('wTeardown')}${L.colon}${t(TK_KEY[tk])}`));
    td.slice(0, TEARDOWN_MAX).forEach((p, i) => step(String(i + 1).padStart(2) + ' ', p));
    if (td.length > TEARDOWN_MAX) out.push(k.dim(`   ${t('wMore', 'client', td.length - TEARDOWN_MAX)}`));
  }

  // --- final states and capture quality
  const cs = c.clientIsA ? s.stateA : s.stateB;
  const ss = c.clientIsA ? s.stateB : s.stateA;
  out.push('');
  out.push(`  ${k.bold(t('wFinal'))}${L.colon}${roleName(o.lang, 'client')} ${stateText(cs)} · ${roleName(o.lang, 'server')} ${stateText(ss)}`);
  const diags = diagnostics(c);
  if (diags.length > 0) {
    out.push(k.bold(`  ${t('wQuality')}`));
    for (const d of diags) out.push(`   ${k.yellow('!')} ${t(d.key, d.flowA === null ? 'client' : role(d.flowA), d.n1, d.n2)}`);
  }
  return out.join('\n') + '\n';

  function step(label: string, p: PacketRecord): void {
    const fromClient = p.fromA === c.clientIsA;
    const flags = flagText(p.flags, k);
    const ackSet = (p.flags & 0x10) !== 0;
    let line = `   ${label} ${L.frame} ${p.frame}  ${fromClient ? L.client : L.server} → ${fromClient ? L.server : L.client}  [${flags}]  ${L.seq} ${num(p.seq, p.rawSeq)}`;
    if (ackSet) line += `  ${L.ack} ${num(p.ack, p.rawAck)}`;
    if (p.len > 0) line += `  ${L.len} ${p.len}`;
    if (p.analysis !== 0) {
      const names = analysisNames(p.analysis);
      if (names.length > 0) line += `  ${k.red(names.join(' '))}`;
    }
    out.push(line);
    const cl = c.clientIsA ? p.stateA : p.stateB;
    const sv = c.clientIsA ? p.stateB : p.stateA;
    out.push(k.dim(`        ${L.client} ${stateText(cl)} · ${L.server} ${stateText(sv)}`));
    if (p.note !== N_NONE) out.push(`        ${note(p)}`);
  }

  function num(rel: number, raw: number): string {
    return o.absolute ? `${raw}${L.po}${L.rel} ${rel}${L.pc}` : `${rel}${L.po}${L.raw} ${raw}${L.pc}`;
  }

  function note(p: PacketRecord): string {
    return message(o.lang, NOTE_KEYS[p.note], role(p.fromA), p.n1, p.n2, p.n3);
  }

  function stateText(st: number): string {
    const name = STATE_NAMES[st];
    const text = name === 'ESTABLISHED' ? k.green(name) : name === 'CLOSED' ? name : k.cyan(name);
    return isInferredState(st) ? `${text}${L.po}${L.inferred}${L.pc}` : text;
  }

  function agreedText(): string | null {
    const cl = clientFlow(c);
    const sv = serverFlow(c);
    if (!cl.synSeen || !sv.synSeen) return null;
    const parts: string[] = [];
    const c2s = `${roleName(o.lang, 'client')}→${roleName(o.lang, 'server')}`;
    const s2c = `${roleName(o.lang, 'server')}→${roleName(o.lang, 'client')}`;
    if (sv.synMss >= 0 || cl.synMss >= 0) {
      // a side that sent no MSS option: the peer assumes the default (RFC 9293 §3.7.1, MUST-15)
      const dflt = t('lMssDefault', 'client', c.ipVersion === 6 ? 1220 : 536);
      parts.push(`MSS ${c2s} ${sv.synMss >= 0 ? sv.synMss : dflt}${t('lSep')}${s2c} ${cl.synMss >= 0 ? cl.synMss : dflt}`);
    }
    parts.push(cl.synWscale >= 0 && sv.synWscale >= 0 ? `${t('lWindowScale')} ${cl.synWscale}/${sv.synWscale}` : t('lScaleOff'));
    parts.push(cl.synSackPermitted && sv.synSackPermitted ? 'SACK' : t('lNoSack'));
    parts.push(cl.synTimestamps && sv.synTimestamps ? t('lTimestamps') : t('lNoTimestamps'));
    return parts.join(t('lSep'));
  }
}
