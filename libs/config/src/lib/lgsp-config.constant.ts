/** Injection token of the LgspConfig: `@Inject(LGSP_CONFIG) config: LgspConfig`. */
export const LGSP_CONFIG = Symbol('LGSP_CONFIG');
