import { join, relative } from 'node:path';

import { defineConfig } from 'drizzle-kit';

// drizzle-kit mishandles absolute paths once migrations exist ("./" + path), so give them relative to
// wherever it runs; `npm run db:generate` runs it from the repository root.
const here = (path: string) => relative(process.cwd(), join(__dirname, path));

/** `npm run db:generate` turns changes to the schema into the next versioned migration. */
export default defineConfig({
  dialect: 'postgresql',
  schema: here('src/lib/schema/index.ts'),
  out: here('migrations'),
  strict: true,
});
