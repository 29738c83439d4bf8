import type { Actor } from '@lgsp/admin-auth';
import { exportDeclarativeConfig } from '@lgsp/data';
import { Inject, Injectable } from '@nestjs/common';
import { Document } from 'yaml';

import { RegistryStore } from '../store/registry-store.service';
import type { ExportFormat } from './dto/export-query.dto';

/** The registry as a declarative file, rendered for the response. */
export interface ExportedFile {
  readonly contentType: string;
  readonly body: string;
  /** What the file leaves out, as the x-lgsp-skipped header value; undefined when nothing is. */
  readonly skippedHeader?: string;
}

/** Beyond this the header is cut short: clients refuse response headers past 16 KiB. */
const SKIPPED_HEADER_MAX_CHARS = 8_000;

@Injectable()
export class ExportService {
  constructor(@Inject(RegistryStore) private readonly store: RegistryStore) {}

  /** The export carries every credential's secret hash, so who took one is kept in the audit trail. */
  async declarativeConfig(format: ExportFormat, actor: Actor): Promise<ExportedFile> {
    const { config, skipped } = await exportDeclarativeConfig(this.store.db);
    await this.store.write(actor, { notifyGateways: false }, (context) =>
      context.audit({
        action: 'declarative-config.export',
        targetType: 'registry',
        targetId: 'declarative-config',
        after: { format, skipped: skipped.length },
      }),
    );
    const skippedHeader = skipped.length > 0 ? headerList(skipped) : undefined;
    if (format === 'json') {
      return { contentType: 'application/json', body: `${JSON.stringify(config, null, 2)}\n`, skippedHeader };
    }
    const document = new Document(config, { aliasDuplicateObjects: false });
    document.commentBefore = [
      ' LGSP declarative configuration, exported from the registry (LGSP_DECLARATIVE_CONFIG).',
      ' Secrets are client_secret_hash only: they verify where LGSP_SECRET_PEPPER is the same.',
      ...(skipped.length > 0
        ? [' Left out, since the format cannot say it or would refuse it:', ...skipped.map((line) => `   - ${line}`)]
        : []),
    ].join('\n');
    return { contentType: 'application/yaml', body: document.toString({ lineWidth: 0 }), skippedHeader };
  }
}

/** An RFC 8941 list of strings; characters a header cannot carry are percent-encoded. */
function headerList(lines: readonly string[]): string {
  const items: string[] = [];
  let length = 0;
  for (const [i, line] of lines.entries()) {
    const item = sfString(line);
    if (length + item.length > SKIPPED_HEADER_MAX_CHARS) {
      items.push(sfString(`and ${lines.length - i} more`));
      break;
    }
    items.push(item);
    length += item.length + 2;
  }
  return items.join(', ');
}

function sfString(text: string): string {
  const printable = text.replace(/[^\x20-\x7e]/gu, (character) => encodeURIComponent(character));
  return `"${printable.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}
