import type { CliCommand } from './cli-command.type';
import { adminBootstrapCommand } from './commands/admin-bootstrap.command';

/** Every command of `lgsp`; add one here (and its file under commands/). */
export const CLI_COMMANDS: readonly CliCommand[] = [adminBootstrapCommand];
