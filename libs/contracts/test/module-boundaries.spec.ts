import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '../../..');

/**
 * The module-boundary rule must bite: a shared lib importing a feature lib, a lib importing an app
 * and a feature lib importing another scope's code are each refused. The real ESLint CLI lints the
 * text as if it stood at the given path (--stdin-filename), so nothing wrong-way is ever committed.
 */
describe('Nx module boundaries', () => {
  beforeAll(() => {
    // The rule reads Nx's cached project graph (and skips silently without one).
    execFileSync(join(root, 'node_modules/.bin/nx'), ['show', 'projects'], { cwd: root, env: { ...process.env, NX_DAEMON: 'false' }, stdio: 'ignore' });
  }, 60_000);

  async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
    let output: string;
    try {
      output = execFileSync(join(root, 'node_modules/.bin/eslint'), ['--stdin', '--stdin-filename', join(root, filePath), '--format', 'json'], { cwd: root, input: code, encoding: 'utf8' });
    } catch (error) {
      output = (error as { stdout: string }).stdout; // exit 1: lint errors found
    }
    const [result] = JSON.parse(output) as { messages: { ruleId: string; message: string }[] }[];
    return result.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
  }

  it('refuses a shared lib importing a feature lib', async () => {
    // (contracts → gateway-core is refused too, but as a cycle before the tag rule speaks.)
    const errors = await boundaryErrors('libs/ledger-client/src/lib/wrong-way.ts', "import { DemoProviderModule } from '@lgsp/demo-provider-core';\nexport const m = DemoProviderModule;\n");
    expect(errors).toEqual([expect.stringContaining('A project tagged with "scope:shared" can only depend on libs tagged with "scope:shared"')]);
  });

  it('refuses a util lib importing a data-access lib', async () => {
    const errors = await boundaryErrors('libs/http/src/lib/wrong-way.ts', "import { openDatabase } from '@lgsp/data';\nexport const f = openDatabase;\n");
    expect(errors).toEqual([expect.stringContaining('"type:util" can only depend on libs tagged with "type:util"')]);
  });

  it('refuses one scope reaching into another', async () => {
    const errors = await boundaryErrors('libs/demo-provider-core/src/lib/wrong-way.ts', "import { GATEWAY_POLICIES } from '@lgsp/gateway-core';\nexport const n = GATEWAY_POLICIES.length;\n");
    expect(errors).toEqual([expect.stringContaining('"scope:demo" can only depend on libs tagged with "scope:demo", "scope:shared"')]);
  });

  it('refuses a lib importing an app', async () => {
    const errors = await boundaryErrors('libs/gateway-core/src/lib/wrong-way.ts', "import '@lgsp/standalone';\n");
    expect(errors.length).toBe(1);
  });

  it('accepts the allowed direction', async () => {
    expect(await boundaryErrors('libs/gateway-core/src/lib/right-way.ts', "import { ErrorCode } from '@lgsp/contracts';\nexport const c = ErrorCode.NotFound;\n")).toEqual([]);
  });
});
