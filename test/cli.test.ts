/** The command line as a user meets it: options, outputs, exit codes, messages. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { writeSyntheticPcap } from '../scripts/synth.js';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { parseSelection } from '../src/cli/select.js';
import { runCli, STACK_LINE } from './helpers/cli.js';
import { REPO_ROOT } from './helpers/corpus.js';
import { tempDir } from './helpers/tmp.js';

const HTTP = join(REPO_ROOT, 'fixtures', 'http-ipv4', 'capture.pcap');
const BIN = join(REPO_ROOT, 'bin', 'tcpflow-explain.js');
const tmp = tempDir('tcpflow-cli-');

interface CaptureDoc { schemaVersion: number; tool: { name: string; version: string }; capture: Record<string, unknown> }

/**
 * The CLI on `bytes` three ways: written to file `f` and named, standard input redirected from
 * that file, and a pipe.
 */
function threeWays(args: string[], f: string, bytes: Buffer): { named: SpawnSyncReturns<string>; redirected: SpawnSyncReturns<string>; piped: SpawnSyncReturns<string> } {
  writeFileSync(f, bytes);
  const named = spawnSync(process.execPath, [BIN, ...args, f], { encoding: 'utf8' });
  const fd = openSync(f, 'r');
  let redirected: SpawnSyncReturns<string>;
  try {
    redirected = spawnSync(process.execPath, [BIN, ...args, '-'], { stdio: [fd, 'pipe', 'pipe'], encoding: 'utf8' });
  } finally {
    closeSync(fd);
  }
  const piped = spawnSync(process.execPath, [BIN, ...args, '-'], { input: bytes, encoding: 'utf8' });
  return { named, redirected, piped };
}

describe('cli', () => {
  it('--help lists the usage and exits 0', async () => {
    const r = await runCli(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Usage: tcpflow-explain \[options\] <capture\.\.\.>/);
    assert.match(r.stdout, /--format <format>/);
  });

  it('the help lists every subcommand, however it is asked for (otherwise only the named ones are loaded)', async () => {
    for (const args of [['--help'], [HTTP, '-h'], ['check', '--json', '--help']]) {
      const r = await runCli(args);
      assert.equal(r.code, 0, args.join(' '));
      const commands = r.stdout.includes('Commands:') ? r.stdout.slice(r.stdout.indexOf('Commands:')) : '';
      if (args[0] === 'check') {
        assert.match(r.stdout, /^Usage: tcpflow-explain check /);
        assert.match(r.stdout, /--rules <file>/);
      } else {
        for (const c of ['check', 'lab', 'grade']) assert.match(commands, new RegExp(`^  ${c} \\[options\\]`, 'm'), `${args.join(' ')}: ${c}`);
      }
    }
  });

  it('--version prints the package version', async () => {
    const r = await runCli(['--version']);
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), pkg.version);
  });

  it('no capture is a usage error (exit 2)', async () => {
    const r = await runCli([]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /missing required argument 'capture'/);
  });

  it('an unknown format is a usage error', async () => {
    const r = await runCli(['--format', 'pdf', HTTP]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Allowed choices are text, summary, json, ndjson, mermaid, markdown, packets/);
  });

  it('--format packets prints one tcpdump-like line per TCP packet', async () => {
    const r = await runCli(['--format', 'packets', HTTP]);
    assert.equal(r.code, 0);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 12);
    assert.equal(
      lines[0],
      '     1      0.000000  IP 192.0.2.1.59750 > 192.0.2.2.8080: Flags [S], seq 1100670557, win 64240, options [mss 1460,sackOK,TS val 466555509 ecr 0,wscale 10], length 0',
    );
    assert.equal(
      lines[1],
      '     2      0.000022  IP 192.0.2.2.8080 > 192.0.2.1.59750: Flags [S.], seq 1636655076, ack 1100670558, win 65160, options [mss 1460,sackOK,TS val 718606626 ecr 466555509,wscale 10], length 0',
    );
    assert.match(lines[3], /Flags \[P\.\], seq 1100670558, ack 1636655077, win 63, options \[TS val 466555509 ecr 718606626\], length 87$/);
  });

  it('--json prints the capture object of the contract', async () => {
    const r = await runCli(['--json', HTTP]);
    assert.equal(r.code, 0);
    const doc = JSON.parse(r.stdout) as CaptureDoc;
    assert.equal(doc.schemaVersion, 1);
    assert.equal(doc.tool.name, 'tcpflow-explain');
    assert.equal(doc.capture.format, 'pcap');
    assert.deepEqual(doc.capture.linkTypes, ['EN10MB']);
    assert.equal(doc.capture.packets, 12);
    assert.equal(doc.capture.tcpPackets, 12);
    assert.deepEqual(doc.capture.skipped, {});
    assert.equal(doc.capture.truncated, false);
    assert.equal(doc.capture.error, null);
  });

  it('counts non-TCP frames by reason', async () => {
    const r = await runCli(['--json', join(REPO_ROOT, 'fixtures', 'mixed-nontcp', 'capture.pcap')]);
    const doc = JSON.parse(r.stdout) as CaptureDoc;
    assert.equal(doc.capture.packets, 18);
    assert.equal(doc.capture.tcpPackets, 10);
    assert.deepEqual(doc.capture.skipped, { 'non-ip': 2, 'non-tcp': 6 });
  });

  it('reads standard input with "-", gzip-compressed too', async () => {
    const gz = readFileSync(join(REPO_ROOT, 'fixtures', 'gzip', 'capture.pcap.gz'));
    const r = await runCli(['--json', '-'], Readable.from([gz.subarray(0, 1), gz.subarray(1, 100), gz.subarray(100)]));
    assert.equal(r.code, 0);
    const doc = JSON.parse(r.stdout) as CaptureDoc;
    assert.equal(doc.capture.file, '-');
    assert.equal(doc.capture.compressed, 'gzip');
    assert.equal(doc.capture.tcpPackets, 12);
  });

  it('the process\'s standard input, redirected from a file (read as a named file is) or a pipe: the same document as the path gives', () => {
    // four read chunks (1 MB each) of records, plain and gzip-compressed
    const big = join(tmp, 'stdin-big.pcap');
    writeSyntheticPcap(big, { connections: 3000 });
    const gz = join(tmp, 'stdin-big.pcap.gz');
    writeFileSync(gz, gzipSync(readFileSync(big), { level: 1 }));
    for (const file of [big, gz, HTTP]) {
      const named = spawnSync(process.execPath, [BIN, '--json', file], { encoding: 'utf8', maxBuffer: 1 << 30 });
      assert.equal(named.status, 0, named.stderr);
      const expected = named.stdout.replace(`"file": ${JSON.stringify(file)}`, '"file": "-"');
      const fd = openSync(file, 'r');
      try {
        const redirected = spawnSync(process.execPath, [BIN, '--json', '-'], { stdio: [fd, 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 30 });
        assert.equal(redirected.stderr, named.stderr, file);
        assert.ok(redirected.stdout === expected, `${file}: redirected`);
      } finally {
        closeSync(fd);
      }
      const piped = spawnSync(process.execPath, [BIN, '--json', '-'], { input: readFileSync(file), encoding: 'utf8', maxBuffer: 1 << 30 });
      assert.ok(piped.stdout === expected, `${file}: piped`);
    }
    // standard input already read into (a shell that consumed a header first): read from where it
    // is; the gzip magic is then not at offset 0, so the plain reader meets it and hands over
    for (const file of [big, gz]) {
      const junk = join(tmp, `junk-${file.endsWith('.gz') ? 'gz' : 'plain'}`);
      writeFileSync(junk, Buffer.concat([Buffer.alloc(100, 0x55), readFileSync(file)]));
      const named = spawnSync(process.execPath, [BIN, '--json', file], { encoding: 'utf8', maxBuffer: 1 << 30 });
      const fd = openSync(junk, 'r');
      try {
        readSync(fd, Buffer.alloc(100), 0, 100, null);
        const r = spawnSync(process.execPath, [BIN, '--json', '-'], { stdio: [fd, 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 30 });
        assert.equal(r.stderr, '', file);
        assert.ok(r.stdout === named.stdout.replace(`"file": ${JSON.stringify(file)}`, '"file": "-"'), `${file}: from offset 100`);
      } finally {
        closeSync(fd);
      }
    }
    // a file redirected and named "-" twice: read once, then empty
    const fd = openSync(HTTP, 'r');
    try {
      const twice = spawnSync(process.execPath, [BIN, '--format', 'summary', '-j', '1', '-', '-'], { stdio: [fd, 'pipe', 'pipe'], encoding: 'utf8' });
      assert.equal(twice.status, 2);
      assert.match(twice.stderr, /^tcpflow-explain: -: empty input: not a pcap or pcapng file \(0 bytes\)\n$/);
      assert.match(twice.stdout, /^-: pcap, link type EN10MB\n/);
    } finally {
      closeSync(fd);
    }
  });

  it('damaged input, plain and gzip: the named file, standard input redirected from it and a pipe give the same output, messages and exit code', () => {
    const plain = readFileSync(join(REPO_ROOT, 'fixtures', 'tcp-loss', 'capture.pcap'));
    const damaged: [string, Buffer][] = [];
    for (const [kind, whole] of [['plain', plain], ['gzip', gzipSync(plain)]] as const) {
      const n = whole.length;
      damaged.push([`${kind} cut at a third`, whole.subarray(0, Math.floor(n / 3))]);
      damaged.push([`${kind} cut at two thirds`, whole.subarray(0, Math.floor((2 * n) / 3))]);
      const flipped = Buffer.from(whole);
      flipped[Math.floor(n / 2)] ^= 0x10;
      damaged.push([`${kind} with a flipped bit`, flipped]);
      damaged.push([`${kind} missing 10 bytes`, Buffer.concat([whole.subarray(0, Math.floor(n / 2)), whole.subarray(Math.floor(n / 2) + 10)])]);
    }
    const f = join(tmp, 'damaged-input');
    const norm = (r: { status: number | null; stdout: string; stderr: string }): string =>
      [r.status, r.stdout.replace(`"file": ${JSON.stringify(f)}`, '"file": "-"'), r.stderr.split(f).join('-')].join('\n---\n');
    const statuses = new Set<number | null>();
    for (const [what, bytes] of damaged) {
      const { named, redirected, piped } = threeWays(['--json', '--packets'], f, bytes);
      assert.equal(norm(redirected), norm(named), `${what}: redirected`);
      assert.equal(norm(piped), norm(named), `${what}: piped`);
      assert.doesNotMatch(named.stderr, STACK_LINE);
      statuses.add(named.status);
    }
    // both kinds of outcome were met: results kept with a warning, and a damaged record (exit 2)
    assert.deepEqual([...statuses].sort(), [0, 2]);
  });

  it('a small gzip capture, inflated at once from a named file, gives what the stream gives (standard input redirected, a pipe): one member or two', () => {
    const plain = readFileSync(join(REPO_ROOT, 'fixtures', 'tcp-loss', 'capture.pcap'));
    const half = Math.floor(plain.length / 2);
    const f = join(tmp, 'small-gzip');
    // the file's name, where the run of standard input says "-"
    const norm = (r: { status: number | null; stdout: string; stderr: string }): string =>
      [r.status, r.stdout.split(f).join('-'), r.stderr.split(f).join('-')].join('\n---\n');
    // and one longer than the direct read's first 64 KB (stored, not compressed: about 170 KB),
    // whose rest is read after them
    const synth = join(tmp, 'small-gzip-synth.pcap');
    writeSyntheticPcap(synth, { connections: 120 });
    const stored = gzipSync(readFileSync(synth), { level: 0 });
    assert.ok(stored.length > 64 << 10 && stored.length < 256 << 10, `${stored.length}`);
    for (const bytes of [gzipSync(plain), Buffer.concat([gzipSync(plain.subarray(0, half)), gzipSync(plain.subarray(half))]), stored]) {
      for (const args of [['--json', '--packets'], ['check', '-e', 'handshake=three-way']]) {
        const { named, redirected, piped } = threeWays(args, f, bytes);
        assert.equal(named.status, 0, named.stderr);
        assert.equal(norm(redirected), norm(named));
        assert.equal(norm(piped), norm(named));
        if (args[0] === '--json') assert.match(named.stdout, /"compressed": "gzip"/);
      }
    }
  });

  it('inflateSmall: a gzip file from the bytes the first read took and the rest read after them; null when damaged or too big', async () => {
    const { inflateSmall } = await import('../src/pipeline.js');
    const synth = join(tmp, 'inflate-small.pcap');
    writeSyntheticPcap(synth, { connections: 120 });
    const plain = readFileSync(synth);
    const f = join(tmp, 'inflate-small.pcap.gz');
    const stored = gzipSync(plain, { level: 0 });
    writeFileSync(f, stored);
    // the first 64 KB as the direct read took them, the rest from the file
    assert.deepEqual(inflateSmall(f, stored.subarray(0, 64 << 10), stored.length), plain);
    // the whole file in the first read
    assert.deepEqual(inflateSmall(f, stored, stored.length), plain);
    // a file shorter than it was said to be, a damaged one: the stream's way
    assert.equal(inflateSmall(f, stored.subarray(0, 64 << 10), stored.length + 10), null);
    const bad = Buffer.from(stored);
    bad[bad.length - 6] ^= 0xff;
    writeFileSync(f, bad);
    assert.equal(inflateSmall(f, bad.subarray(0, 64 << 10), bad.length), null);
    // more than 4 MB inflated: the stream's way
    const big = gzipSync(Buffer.alloc(5 << 20));
    writeFileSync(f, big);
    assert.equal(inflateSmall(f, big, big.length), null);
  });

  it('not a capture: exit 2 with the magic number', async () => {
    const r = await runCli([join(REPO_ROOT, 'package.json')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /not a pcap or pcapng file \(magic 0x7b0a2020\)/);
    assert.equal(r.stdout, '');
  });

  it('a missing file: exit 2, no stack trace', async () => {
    const r = await runCli([join(tmp, 'nope.pcap')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot open .*nope\.pcap: no such file/);
    assert.doesNotMatch(r.stderr, STACK_LINE);
  });

  it('a capture cut short: results kept, warning with the offset, truncated true, exit 0', async () => {
    const bytes = readFileSync(HTTP);
    const cut = join(tmp, 'cut.pcap');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 10));
    const r = await runCli(['--json', cut]);
    assert.equal(r.code, 0);
    const doc = JSON.parse(r.stdout) as CaptureDoc;
    assert.equal(doc.capture.truncated, true);
    assert.equal(doc.capture.packets, 11);
    assert.match(r.stderr, new RegExp(`capture cut short at byte ${bytes.length - 10}`));
  });

  it('an absurd record length: stop there, keep what was read, exit 2', async () => {
    const bytes = Buffer.from(readFileSync(HTTP));
    // third record's captured length field: header 24, then records of 16 + caplen bytes
    let off = 24;
    for (let i = 0; i < 2; i++) off += 16 + bytes.readUInt32LE(off + 8);
    bytes.writeUInt32LE(0x7fffffff, off + 8);
    const bad = join(tmp, 'bad.pcap');
    writeFileSync(bad, bytes);
    const r = await runCli(['--json', bad]);
    assert.equal(r.code, 2);
    const doc = JSON.parse(r.stdout) as CaptureDoc;
    assert.equal(doc.capture.packets, 2);
    assert.match(r.stderr, new RegExp(`pcap record 3 at offset ${off}: captured length 2147483647 exceeds the 262144-byte limit`));
  });

  it('several captures: a JSON array, one document each', async () => {
    const r = await runCli(['--json', HTTP, join(REPO_ROOT, 'fixtures', 'sll2', 'capture.pcap')]);
    const docs = JSON.parse(r.stdout) as CaptureDoc[];
    assert.equal(docs.length, 2);
    assert.deepEqual(docs.map((d) => d.capture.linkTypes), [['EN10MB'], ['LINUX_SLL2']]);
  });

  it('the installed binary runs, and a closed pipe ends it quietly', () => {
    const r = spawnSync('sh', ['-c', `node ${BIN} --format packets ${HTTP} ${HTTP} ${HTTP} | head -1`], { encoding: 'utf8' });
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^ {5}1 /);
    assert.equal(r.stderr, '');
  });
});

describe('selection and summary', () => {
  const REUSE = join(REPO_ROOT, 'fixtures', 'tcp-port-reuse', 'capture.pcap');

  it('-s, --port and --host select connections in every format', async () => {
    const ids = async (args: string[]): Promise<number[]> =>
      (JSON.parse((await runCli(['--json', ...args, REUSE])).stdout) as { connections: { id: number }[] }).connections.map((c) => c.id);
    assert.deepEqual(await ids(['-s', '0,2']), [0, 2]);
    assert.deepEqual(await ids(['--port', '5009']), [0, 1, 2]);
    assert.deepEqual(await ids(['--port', '80']), []);
    assert.deepEqual(await ids(['--host', '192.0.2.2', '-s', '1']), [1]);
    const v6 = await runCli(['--json', '--host', '2001:0db8:0:0::1', join(REPO_ROOT, 'fixtures', 'http-ipv6', 'capture.pcap')]);
    assert.equal((JSON.parse(v6.stdout) as { connections: unknown[] }).connections.length, 1);
    const lines = (await runCli(['--format', 'packets', '-s', '2', REUSE])).stdout.trimEnd().split('\n');
    assert.equal(lines.length, 10);
    assert.match(lines[0], /^ {4}21 /);
    const text = (await runCli(['-s', '1', REUSE])).stdout;
    assert.match(text, /Connection #1 /);
    assert.doesNotMatch(text, /Connection #0 |Connection #2 /);
  });

  it('a bad selection is a usage error', async () => {
    const r = await runCli(['--port', '70000', REUSE]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /port "70000" is not a number from 0 to 65535/);
    // values that could never select anything, and a zone index that was an internal error
    for (const [args, msg] of [
      [['--host', 'example.com'], /host "example\.com" is not an IP address/],
      [['--host', '300.1.1.1'], /host "300\.1\.1\.1" is not an IP address/],
      [['--host', '192.0.2.2:5009'], /is not an IP address/],
      [['--host', ''], /no host given/],
      [['--port', ','], /no port given/],
      [['-s', ' '], /no stream id given/],
    ] as [string[], RegExp][]) {
      for (const cmd of [[], ['check', '-e', 'connections=0']]) {
        const bad = await runCli([...cmd, ...args, REUSE]);
        assert.equal(bad.code, 2, args.join(' '));
        assert.match(bad.stderr, msg);
        assert.doesNotMatch(bad.stderr, /internal error/);
      }
    }
  });

  it('--host takes an address in any spelling, as connections show it', () => {
    const hosts = (h: string): string[] => [...parseSelection({ host: h }).hosts!];
    assert.deepEqual(hosts('192.0.2.2'), ['192.0.2.2']);
    assert.deepEqual(hosts('2001:DB8:0:0:0:0:0:1'), ['2001:db8::1']);
    assert.deepEqual(hosts('2001:0db8::0001'), ['2001:db8::1']);
    assert.deepEqual(hosts('::'), ['::']);
    assert.deepEqual(hosts('::1'), ['::1']);
    assert.deepEqual(hosts('1::'), ['1::']);
    assert.deepEqual(hosts('1:0:0:2:0:0:0:3'), ['1:0:0:2::3']);
    assert.deepEqual(hosts('fe80::1%eth0'), ['fe80::1']);
    // an IPv4-mapped address keeps its dotted quad (RFC 5952 section 5), as ipv6ToString writes it
    assert.deepEqual(hosts('::FFFF:192.0.2.2'), ['::ffff:192.0.2.2']);
    assert.deepEqual(hosts('::ffff:c000:202'), ['::ffff:192.0.2.2']);
    assert.deepEqual(hosts('2001:db8::1, 2001:DB8::2'), ['2001:db8::1', '2001:db8::2']);
  });

  it('--format summary: a row per connection and the totals', async () => {
    const r = await runCli(['--format', 'summary', REUSE]);
    assert.equal(r.code, 0);
    const rows = r.stdout.split('\n').filter((l) => /^│ \d/.test(l));
    assert.equal(rows.length, 3);
    assert.match(rows[1], /│ 1 +│ 192\.0\.2\.1:40009 +│ 192\.0\.2\.2:5009 +│ three-way +│ three-way +│ SF +│ 10 +│ 10\/9 +│ [\d.]+ +│ 0\.060 +│ reused_ports 1/);
    assert.match(r.stdout, /3 connection\(s\), 30 TCP packets, 57 payload bytes; reused_ports 2/);
    assert.doesNotMatch(r.stdout, /Flags \[/);
  });
});
