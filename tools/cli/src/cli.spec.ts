import type { CliCommand, CliIo } from './cli-command.type';
import { ExitCode } from './cli-command.type';
import { runCli } from './cli';
import { CLI_COMMANDS } from './cli-commands.constant';

function capture(): CliIo & { out: string; err: string } {
  const io = { out: '', err: '', stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

describe('runCli', () => {
  const seen: Record<string, unknown>[] = [];
  const fake: CliCommand = {
    path: ['thing', 'do'],
    summary: 'Does the thing',
    help: 'Usage: lgsp thing do [--count <n>]\n',
    options: { count: { type: 'string', default: '1' }, dry: { type: 'boolean' } },
    run: async (values) => {
      seen.push({ ...values });
      return ExitCode.ok;
    },
  };

  it('lists every command of the table on --help, and exits 2 with the list when given nothing', async () => {
    const io = capture();
    expect(await runCli(['--help'], CLI_COMMANDS, io)).toBe(0);
    expect(io.out).toMatch(/^ {2}admin bootstrap +Create the first DGO admin client and print its secret once$/m);
    expect(io.out).toMatch(/^ {2}admin registrations approve +Approve a submitted registration/m);
    const none = capture();
    expect(await runCli([], CLI_COMMANDS, none)).toBe(2);
    expect(none.out).toContain('Commands:');
  });

  it('dispatches by path with parsed options, and shows a command’s own help', async () => {
    expect(await runCli(['thing', 'do', '--count', '3', '--dry'], [fake], capture())).toBe(0);
    expect(seen.at(-1)).toEqual({ count: '3', dry: true });
    const io = capture();
    expect(await runCli(['thing', 'do', '-h'], [fake], io)).toBe(0);
    expect(io.out).toBe(fake.help);
  });

  it('refuses an unknown command, an unknown option and a stray argument with exit 2', async () => {
    for (const argv of [['nothing'], ['thing'], ['thing', 'do', '--nope'], ['thing', 'do', 'extra']]) {
      const io = capture();
      expect({ argv, code: await runCli(argv, [fake], io) }).toEqual({ argv, code: 2 });
      expect(io.err).not.toBe('');
    }
  });

  it('refuses a malformed --client-id before touching any registry', async () => {
    const io = capture();
    expect(await runCli(['admin', 'bootstrap', '--client-id', 'bad id'], CLI_COMMANDS, io)).toBe(2);
    expect(io.err).toContain('--client-id');
  });
});
