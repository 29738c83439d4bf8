export const LEDGER = 'placeholder';
