/**
 * Child process for the cross-process single-flight test: connects, prints `ready`, waits for
 * `go` on stdin (so all children ask at the same moment), calls getAccessToken, prints the token.
 * Argument: JSON {redisUrl, base, appId, appSecret, tokenEndpoint}.
 */
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { createWechatApi, type TokenEndpoint } from '../../bot/wechat/api-client.js';

const args = JSON.parse(process.argv[2] ?? '{}') as { redisUrl: string; base: string; appId: string; appSecret: string; tokenEndpoint: TokenEndpoint };
const redis = new Redis(args.redisUrl);
await redis.ping();
const api = createWechatApi({
  base: args.base,
  appId: args.appId,
  appSecret: args.appSecret,
  redis,
  tokenEndpoint: args.tokenEndpoint,
  tokenCache: { pollMs: 20 },
});
process.stdout.write('ready\n');
process.stdin.setEncoding('utf8');
await once(process.stdin, 'data');
const token = await api.getAccessToken();
process.stdout.write(`token ${token}\n`);
redis.disconnect();
