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
import { CliContext, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, toolVersion, type Io } from './context.js';
import { addExplainOptions, explain, type ExplainOptions } from './explain.js';

/** The subcommands' names: their modules (and yaml) are loaded only when one may run or help is shown. */
const SUBCOMMANDS = new Set(['check', 'lab', 'grade', 'help']);

/**
 * True when the arguments may need a subcommand or the full help: a subcommand's name anywhere
 * (commander routes on the first operand; a capture cannot be named like one without being
 * taken for it), -h/--help, or no arguments. Otherwise only the default command is defined:
 * loading check, lab and grade (and the YAML parser) costs about 80 ms of start-up.
 */
function needsSubcommands(argv: string[]): boolean {
  if (argv.length === 0) return true;
  for (const a of argv) if (SUBCOMMANDS.has(a) || a === '-h' || a === '--help') return true;
  return false;
}

export { EXIT_OK, EXIT_USAGE, EXIT_INTERNAL, toolVersion } from './context.js';

/** Runs the CLI with the given arguments (without node and script) and returns the exit code. */
export async function main(argv: string[], io: Io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }): Promise<number> {
  const ctx = new CliContext(io);
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
  if (needsSubcommands(argv)) {
    const [{ checkCommand }, { addLabCommand }, { addGradeCommand }] = await Promise.all([import('./check.js'), import('./lab.js'), import('./grade.js')]);
    program.addCommand(configure(checkCommand(ctx)));
    addLabCommand(program, ctx, configure);
    addGradeCommand(program, ctx, configure);
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT_OK;
      return EXIT_USAGE;
    }
    const m = e instanceof Error ? e.message : String(e);
    ctx.err(`internal error: ${m} (please report this with the capture if you can)`);
    if (process.env.TCPFLOW_DEBUG && e instanceof Error) io.stderr.write(`${e.stack}\n`);
    return EXIT_INTERNAL;
  }
  return ctx.code;
}

