import type { CliCommand } from './cli-command.type';
import { adminApisCommands } from './commands/admin-apis.command';
import { adminAuditCommand } from './commands/admin-audit.command';
import { adminBlocksCommands } from './commands/admin-blocks.command';
import { adminBootstrapCommand } from './commands/admin-bootstrap.command';
import { adminCallCommand } from './commands/admin-call.command';
import { adminConsumersCommands } from './commands/admin-consumers.command';
import { adminExportCommand } from './commands/admin-export.command';
import { adminRegistrationsCommands } from './commands/admin-registrations.command';
import { adminTokenCommand } from './commands/admin-token.command';
import { callCommand } from './commands/call.command';
import { ledgerReplayCommand } from './commands/ledger-replay.command';
import { ledgerStatementVerifyCommand } from './commands/ledger-statement-verify.command';
import { ledgerVerifyCommand } from './commands/ledger-verify.command';

/** Every command of `lgsp`; add one here (and its file under commands/). */
export const CLI_COMMANDS: readonly CliCommand[] = [
  adminBootstrapCommand,
  adminTokenCommand,
  ...adminRegistrationsCommands,
  ...adminConsumersCommands,
  ...adminApisCommands,
  ...adminBlocksCommands,
  adminAuditCommand,
  adminExportCommand,
  adminCallCommand,
  callCommand,
  ledgerVerifyCommand,
  ledgerReplayCommand,
  ledgerStatementVerifyCommand,
];
