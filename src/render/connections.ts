/** A plain list of the connections, one line each, under the capture summary of `--format text`. */
import type { Connection } from '../analyze/connection.js';
import { ANALYSIS_NAMES } from '../analyze/flags.js';
import { addressToString } from '../util/addr.js';
import { handshakeKind, teardownKind, STATE_NAMES } from '../analyze/story.js';
import { zeekConnState } from '../analyze/zeek.js';

function endpointText(c: Connection, client: boolean): string {
  const f = client ? c.client : c.server;
  const ip = addressToString(c.ipVersion, f.addr);
  return c.ipVersion === 6 ? `[${ip}]:${f.port}` : `${ip}:${f.port}`;
}

export function connectionsText(conns: readonly Connection[]): string {
  if (conns.length === 0) return '';
  const lines = [`  ${conns.length} TCP connection${conns.length === 1 ? '' : 's'}:`];
  for (const c of conns) {
    const parts: string[] = [];
    for (let i = 0; i < ANALYSIS_NAMES.length; i++) if (c.analysis[i] > 0) parts.push(`${ANALYSIS_NAMES[i]} ${c.analysis[i]}`);
    const rtt = c.irtt >= 0 ? `, iRTT ${(c.irtt * 1000).toFixed(3)} ms` : '';
    const roles = c.clientBy === 'syn' ? '' : ` (client inferred: ${c.clientBy})`;
    const st = c.story;
    const cs = STATE_NAMES[c.clientIsA ? st.stateA : st.stateB];
    const ss = STATE_NAMES[c.clientIsA ? st.stateB : st.stateA];
    lines.push(
      `    #${c.id} ${endpointText(c, true)} → ${endpointText(c, false)}${roles}: ${c.packets} packets, ` +
        `${c.client.payloadBytes}/${c.server.payloadBytes} payload bytes, completeness ${c.completeness}${rtt}` +
        (parts.length > 0 ? `; ${parts.join(', ')}` : ''),
      `       handshake ${handshakeKind(st)}, teardown ${teardownKind(st)}, final states ${cs}/${ss}, Zeek ${zeekConnState(c.zeek)} ${c.zeek.history}`,
    );
  }
  return lines.join('\n') + '\n';
}
