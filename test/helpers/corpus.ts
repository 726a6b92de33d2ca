/** Access to ../shared/corpus (see its README): the manifest and the tshark references. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root (dist/test/helpers → ../../..). */
export const REPO_ROOT = resolve(here, '..', '..', '..');
export const CORPUS_DIR = process.env.TCPFLOW_CORPUS ?? resolve(REPO_ROOT, '..', 'shared', 'corpus');

export interface CorpusEntry {
  path: string;
  abs: string;
  format: string;
  linkTypes: string;
  packets: number | null;
  tcpPackets: number;
  tcpStreams: number;
  category: 'tcp' | 'format' | 'malformed';
  notes: string;
}

export function corpusAvailable(): boolean {
  return existsSync(join(CORPUS_DIR, 'corpus.tsv'));
}

export function corpusEntries(): CorpusEntry[] {
  const lines = readFileSync(join(CORPUS_DIR, 'corpus.tsv'), 'utf8').split('\n').filter((l) => l.length > 0);
  const head = lines[0].split('\t');
  const col = (n: string): number => head.indexOf(n);
  return lines.slice(1).map((l) => {
    const f = l.split('\t');
    const packets = f[col('packets')];
    return {
      path: f[col('path')],
      abs: join(CORPUS_DIR, f[col('path')]),
      format: f[col('format')],
      linkTypes: f[col('link_types')],
      packets: packets === '' ? null : Number(packets),
      tcpPackets: Number(f[col('tcp_packets')] || 0),
      tcpStreams: Number(f[col('tcp_streams')] || 0),
      category: f[col('category')] as CorpusEntry['category'],
      notes: f[col('notes')],
    };
  });
}
