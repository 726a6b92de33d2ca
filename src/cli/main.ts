/**
 * The command line. The only modules that touch process.* are this one and ./context.ts.
 *
 *   tcpflow-explain [options] <capture...>        explain (the default command, ./explain.ts)
 *   tcpflow-explain check [options] <capture...>  CI assertions (./check.ts)
 *   tcpflow-explain lab [options] <capture>        lab answer key (./lab.ts)
 *   tcpflow-explain grade [options] <capture>      grade a student's answers (./grade.ts)
 *
 * Exit codes (SPEC.md): 0 success (a capture cut short still exits 0 with a warning);
 * 1 a check/grade expectation failed; 2 usage error, unreadable input, or reading stopped by a
 * damaged record (the results read before the damage are printed first); 70 an internal error
 * (a bug: never expected).
 */
import { Command, CommanderError } from 'commander';
import { createReadStream, fstatSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { STREAM_READ } from '../capture/source.js';
import { CliContext, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, toolVersion, type Io } from './context.js';
import { addExplainOptions, explain, type ExplainOptions } from './explain.js';
import { SpoolError } from '../util/spool.js';
import { OutputError } from '../util/output.js';
import { checkCommand } from './check.js';
import { addLabCommand } from './lab.js';
import { addGradeCommand } from './grade.js';

/** The subcommands: each one is defined only when it may run or help is shown. */
const SUBCOMMANDS = ['check', 'lab', 'grade'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

/**
 * The subcommands to define for these arguments: all of them for the full help (help, -h/--help,
 * or no arguments); otherwise those whose name appears anywhere (commander routes on the first
 * operand, and only to a defined command; a capture cannot be named like one without being taken
 * for it), usually none: only the default command is defined then, and commander has less to set
 * up. (Their modules are in the bundle anyway: static imports, so that esbuild does not wrap
 * every module in a lazy initialiser, which cost the hot path its constants; scripts/bundle.ts.)
 */
function subcommandsFor(argv: string[]): Subcommand[] {
  if (argv.length === 0 || argv.some((a) => a === 'help' || a === '-h' || a === '--help')) return [...SUBCOMMANDS];
  return SUBCOMMANDS.filter((c) => argv.includes(c));
}

export { EXIT_OK, EXIT_USAGE, EXIT_INTERNAL, toolVersion } from './context.js';

/**
 * The process's streams. Standard input is made when first read (a capture named "-"): Node
 * builds process.stdin on first access, and from a file or /dev/null that is an fs stream,
 * which loads node:fs's streams and node:fs/promises, about 1 ms of every start.
 */
function processIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    get stdin() {
      return standardInput();
    },
  };
}

/**
 * Standard input as a stream. A regular file (`tcpflow-explain - < capture.pcap`) is an fs stream
 * on fd 0, which runCapture recognises and reads as it reads a named file (regularFile in
 * capture/source.ts); a gzip one is streamed in STREAM_READ reads after the first. process.stdin read such a file
 * 64 KB at a time and waited between reads: short1m's `check` took 0.43 s instead of 0.33. A
 * pipe, a terminal or a socket stays process.stdin (a pipe read through the thread pool in big
 * reads was slower still, 0.49 s: a pipe holds 64 KB, so each read was one more hop for as little).
 */
function standardInput(): Readable {
  let file = false;
  try {
    file = fstatSync(0).isFile();
  } catch {
    // no standard input at all (closed): process.stdin says so when read
  }
  return file ? createReadStream('', { fd: 0, highWaterMark: STREAM_READ, autoClose: false }) : process.stdin;
}

/** Runs the CLI with the given arguments (without node and script) and returns the exit code. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const ctx = new CliContext(io);
  const code = await run(ctx, argv, io);
  // a message waiting for standard output's last bytes (CliContext.line) is written before the end
  await ctx.messagesWritten();
  return code;
}

async function run(ctx: CliContext, argv: string[], io: Io): Promise<number> {
  const program = new Command();
  const configure = (cmd: Command): Command => cmd
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(s),
    });
  configure(program)
    .name('tcpflow-explain')
    .description('Explain the TCP connections in a pcap or pcapng capture (gzip and "-" for stdin accepted).')
    .version(toolVersion(), '-V, --version')
    .usage('[options] <capture...>\n       tcpflow-explain <command> [options] <capture...>   (commands below; <command> --help)')
    // options of the default command only before a subcommand's name, so `check --json` is check's
    .enablePositionalOptions();
  addExplainOptions(program).action(async (captures: string[], opts: ExplainOptions) => explain(ctx, captures, opts));
  const subcommands = subcommandsFor(argv);
  if (subcommands.includes('check')) program.addCommand(configure(checkCommand(ctx)));
  if (subcommands.includes('lab')) addLabCommand(program, ctx, configure);
  if (subcommands.includes('grade')) addGradeCommand(program, ctx, configure);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT_OK;
      return EXIT_USAGE;
    }
    if (e instanceof SpoolError || e instanceof OutputError) {
      // the disk of the temporary file or of the output, not a bug: said plainly, exit 2 as for an unwritable report
      ctx.err(e.message);
      ctx.fail(EXIT_USAGE);
      return ctx.code;
    }
    const m = e instanceof Error ? e.message : String(e);
    ctx.err(`internal error: ${m} (please report this with the capture if you can)`);
    if (process.env.TCPFLOW_DEBUG && e instanceof Error) io.stderr.write(`${e.stack}\n`);
    return EXIT_INTERNAL;
  }
  return ctx.code;
}

