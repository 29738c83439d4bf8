/** Injection token of the application's LgspDatabase (DataModule). */
export const LGSP_DATABASE = Symbol('LGSP_DATABASE');
