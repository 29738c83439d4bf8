// The images' HEALTHCHECK (slim images have no curl): GET http://127.0.0.1:$<port variable><path>,
// healthy on a 2xx within 2 s.
//   node healthcheck.mjs LGSP_PORT /health/live
const [portVariable, path] = process.argv.slice(2);
const port = process.env[portVariable];
if (!port || !path) {
  console.error(`usage: healthcheck.mjs <port variable> <path> (${portVariable} is ${port ?? 'unset'})`);
  process.exit(2);
}
try {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2000) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
