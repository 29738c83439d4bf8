import type { Provider } from '@nestjs/common';

import { AdminAuthGuard } from './admin-auth.guard';
import { ADMIN_AUTH_OPTIONS, type AdminAuthOptions } from './admin-auth-options.type';
import { AdminTokenVerifier } from './admin-token.verifier';

/** The providers an admin module lists so that its `@Admin` routes authenticate (each module gets its own verifier); the options are read when the module starts. */
export function adminAuthProviders(options: () => AdminAuthOptions): Provider[] {
  return [{ provide: ADMIN_AUTH_OPTIONS, useFactory: options }, AdminTokenVerifier, AdminAuthGuard];
}
