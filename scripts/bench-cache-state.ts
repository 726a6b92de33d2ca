/**
 * Whether the Node that runs the bench accepts the bundle's code cache (bin/load-bundle.js):
 * the cache is V8's, made by the Node that ran `npm run build`. `npm run bench` builds first, so
 * they are the same; `node dist/scripts/bench.js` run by another Node (comparing Node versions)
 * would time every start compiling the bundle from its source, and say nothing of it.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** What `node` says of the code cache of the bundle under `root`: accepted, rejected, none, or why it could not tell. */
export function codeCacheState(node: string, root: string, env: NodeJS.ProcessEnv = process.env): string {
  const loader = join(root, 'bin', 'load-bundle.js');
  const r = spawnSync(node, ['-e', `process.stdout.write(require(${JSON.stringify(loader)}).loadBundle().cache)`], { encoding: 'utf8', env });
  if (r.status === 0 && /^(accepted|rejected|none)$/.test(r.stdout)) return r.stdout;
  const why = (r.stderr.split('\n').find((l) => /Error|error:/.test(l)) ?? r.error?.message ?? `exit ${r.status}`).trim();
  return `unknown (${why})`;
}

/** The bench's line about it, under `node -e 0`'s. */
export function codeCacheLine(state: string): string {
  if (state === 'accepted') return 'code cache: accepted by this Node';
  if (state === 'none') return 'code cache: none (a Node without zlib.crc32, or not built): every run compiles the bundle from its source';
  return `WARNING code cache: ${state} by this Node (made by another Node, or for another bundle): every run compiles the bundle from its source, and its start is slower; run \`npm run build\` with this Node first`;
}
