/** The benchmark's consumer credential (a throw-away registry in a temporary directory). */
export const BENCH_CLIENT_ID = 'bench-consumer';
export const BENCH_CLIENT_SECRET = 'bench-secret-bench-secret-bench-secret-0001';
