/**
 * One sliding-log decision, atomic in Redis. KEYS[1]: the sorted set of admitted requests (score:
 * milliseconds on the Redis server's clock, so replicas with skewed clocks agree). ARGV[1]: the
 * limit; ARGV[2]: the window in milliseconds. Returns {admitted (1 or 0), remaining, milliseconds
 * until the oldest admitted entry leaves the window}. An entry admitted at t counts while
 * now - t < window, as in the in-process log. TIME before writes is allowed: Redis 7 replicates
 * scripts by their effects.
 */
export const SLIDING_LOG_SCRIPT = `
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count < limit then
  -- members must be unique; two decisions in one microsecond get a suffix
  local member = time[1] .. '.' .. time[2]
  local n = 0
  while redis.call('ZADD', key, 'NX', now, member) == 0 do
    n = n + 1
    member = time[1] .. '.' .. time[2] .. '.' .. n
  end
  redis.call('PEXPIRE', key, window)
  if count == 0 then
    return {1, limit - 1, window}
  end
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return {1, limit - count - 1, tonumber(oldest[2]) + window - now}
end
if count == 0 or limit < 1 then
  return {0, 0, window}
end
-- refused: one more is admitted when the entry at rank count - limit leaves (the oldest, unless
-- the limit was lowered while entries admitted under the old one are still in the window)
local blocking = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
return {0, 0, tonumber(blocking[2]) + window - now}
`;
