import { createServer } from 'node:http';

import { announce } from './ready.util';

/** The provider under every benchmark: a fixed 200 JSON answer of a realistic size, no work. */
const BODY = Buffer.from(
  JSON.stringify({
    data: [
      { id: '0b9e2c1e-5d4a-4f0e-9a51-4f6f0c2d7a10', name: 'Thành uỷ Hà Nội', code: 'TU-HN', address: '2 Lê Lai, Hoàn Kiếm, Hà Nội' },
      { id: '8f0c3d2e-1b6a-4c9d-8e7f-2a3b4c5d6e7f', name: 'Tỉnh uỷ Bắc Ninh', code: 'TU-BN', address: 'Lý Thái Tổ, Bắc Ninh' },
    ],
    page: 1,
    pageSize: 2,
    total: 5,
  }),
);

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': BODY.length });
    res.end(BODY);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => announce(server, 'upstream'));
