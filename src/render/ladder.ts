/**
 * The ladder diagram students draw on paper: the client's line on the left, the server's on the
 * right, one arrow per segment with its flags and numbers, each side's state written beside its
 * line when it changes (LISTEN and TIME_WAIT marked inferred with *). Long data phases are elided
 * with a count.
 */
import type { ChalkInstance } from 'chalk';
import type { Connection } from '../analyze/connection.js';
import type { PacketRecords } from './json.js';
import { STATE_NAMES, isInferredState } from '../analyze/story.js';
import { analysisNames } from '../analyze/flags.js';
import { diagramItems, segmentLabel } from './elide.js';
import { message, roleName, type Lang } from '../i18n/messages.js';

const STATE_W = 13;
const FRAME_W = 6;

export function ladder(c: Connection, packets: PacketRecords, chalk: ChalkInstance, absolute: boolean, width = 100, lang: Lang = 'en'): string {
  const arrowW = Math.max(30, Math.min(60, width - FRAME_W - 2 * STATE_W - 6));
  const lines: string[] = [];
  const state = (st: number): string => STATE_NAMES[st] + (isInferredState(st) ? '*' : '');
  const cl = roleName(lang, 'client');
  // CJK characters take two columns
  const pad = STATE_W - cl.length * (lang === 'zh' ? 2 : 1);
  lines.push(`${''.padStart(FRAME_W)} ${' '.repeat(Math.max(0, pad))}${cl} ${' '.repeat(arrowW + 2)} ${roleName(lang, 'server')}`);
  let lastC = '';
  let lastS = '';
  for (const it of diagramItems(packets, c.story, 3, 2)) {
    if (it.kind === 'gap') {
      const gap = message(lang, 'ladderGap', 'client', it.count);
      lines.push(chalk.dim(`${''.padStart(FRAME_W)} ${''.padStart(STATE_W)} |${center(gap, arrowW - (lang === 'zh' ? 6 : 0))}|`));
      continue;
    }
    const p = it.p;
    const fromClient = p.fromA === c.clientIsA;
    const cs = state(c.clientIsA ? p.stateA : p.stateB);
    const ss = state(c.clientIsA ? p.stateB : p.stateA);
    const names = analysisNames(p.analysis);
    let label = ` ${segmentLabel(p, absolute)}${names.length > 0 ? ` (${names[0]})` : ''} `;
    if (label.length > arrowW - 3) label = label.slice(0, arrowW - 4) + '… ';
    const fill = arrowW - label.length - 2;
    let arrow = fromClient ? `-${label}${'-'.repeat(fill)}>` : `<${'-'.repeat(fill)}${label}-`;
    if (p.flags & 0x004) arrow = chalk.red(arrow);
    else if (names.length > 0) arrow = chalk.yellow(arrow);
    const left = cs !== lastC ? cs : '';
    const right = ss !== lastS ? ss : '';
    lastC = cs;
    lastS = ss;
    lines.push(`${String(p.frame).padStart(FRAME_W)} ${chalk.cyan(left.padStart(STATE_W))} |${arrow}|${right === '' ? '' : ' ' + chalk.cyan(right)}`);
  }
  const po = message(lang, 'lParenOpen', 'client').trimStart();
  const pc = message(lang, 'lParenClose', 'client');
  lines.push(chalk.dim(`${''.padStart(FRAME_W)} ${''.padStart(STATE_W)}  ${po}${message(lang, 'ladderNote', 'client')}${pc}`));
  return lines.join('\n') + '\n';
}

function center(s: string, w: number): string {
  const pad = Math.max(0, w - s.length);
  return ' '.repeat(Math.floor(pad / 2)) + s + ' '.repeat(pad - Math.floor(pad / 2));
}
