/**
 * `npm run chat -- --openid alice [--mode plain|safe] [--url http://127.0.0.1:3000] [--channel oa|wecom]`:
 * be a resident in the terminal. Each line is pushed to the server exactly as WeChat would push
 * it — signed, and in safe/compatible mode and for WeCom encrypted — and the passive reply is
 * verified, decrypted and printed. Slash commands send the events a WeChat client would
 * (/help lists them).
 *
 * Exit codes: 0 on /quit or end of input; 1 when the server cannot be reached; 2 for bad
 * arguments (with the usage).
 */
import readline from 'node:readline';
import crypto from 'node:crypto';
import { HELP, parseLine } from './chat/commands.js';
import { USAGE, UsageError, chatCredentials, parseChatArgs, type ChatOptions } from './chat/options.js';
import { buildPush, queryString, webhookPath, type ChannelCredentials, type ResidentAction } from './chat/wechat-request.js';
import { readReply, replyText } from './chat/wechat-reply.js';

/** The server did not answer at all (refused, reset, timed out). */
class Unreachable extends Error {
  override name = 'Unreachable';
}

const out = (line: string) => process.stdout.write(`${line}\n`);

function describeFetchError(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.message;
}

async function request(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  } catch (err) {
    throw new Unreachable(
      `cannot reach the Linli server at ${new URL(url).origin} (${describeFetchError(err)}). Is it running? Start it with \`npm start\`, or pass --url.`,
    );
  }
}

let msgSeq = 0;

/** Push one action and turn the answer into the text to print. */
async function send(opts: ChatOptions, creds: ChannelCredentials, action: ResidentAction): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  msgSeq += 1;
  const msgId = `${Date.now()}${String(msgSeq % 100_000).padStart(5, '0')}`;
  const req = buildPush(
    opts.mode,
    creds,
    action,
    { fromUser: opts.openid, createTime: now, msgId },
    { timestamp: now, nonce: String(crypto.randomInt(1e8, 2e9)) },
  );
  const res = await request(`${opts.url}${webhookPath(opts.mode)}${queryString(req.query)}`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml; charset=utf-8' },
    body: req.body,
  });
  const body = await res.text();
  if (res.status !== 200) return `(the server refused the push: HTTP ${res.status} ${body.slice(0, 200)})`;
  try {
    return replyText(readReply(body, creds, { expectEncrypted: opts.mode !== 'plain' }));
  } catch (err) {
    return `(unreadable reply: ${(err as Error).message})`;
  }
}

const indent = (text: string) => text.split('\n').join('\n       ');

async function main(): Promise<number> {
  let opts: ChatOptions;
  try {
    opts = parseChatArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(err.message ? `chat: ${err.message}\n\n${USAGE}\n` : `${USAGE}\n`);
    return 2;
  }
  const creds = chatCredentials(opts.channel, process.env);
  const interactive = process.stdin.isTTY === true;
  try {
    const health = await request(`${opts.url}/healthz`, { method: 'GET' });
    await health.arrayBuffer();
  } catch (err) {
    process.stderr.write(`chat: ${(err as Error).message}\n`);
    return 1;
  }
  out(
    `Chatting as ${opts.openid} with ${opts.url}${webhookPath(opts.mode)} (${opts.channel === 'wecom' ? 'WeCom' : `${opts.mode} mode`}). /help for commands, /quit to leave.`,
  );

  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: interactive, prompt: `${opts.openid}> ` });
  if (interactive) rl.prompt();
  try {
    for await (const line of rl) {
      const parsed = parseLine(line);
      if (!interactive && parsed.kind !== 'empty') out(`${opts.openid}> ${line}`); // a readable transcript when piped
      switch (parsed.kind) {
        case 'quit':
          return 0;
        case 'help':
          out(HELP);
          break;
        case 'error':
          out(parsed.message);
          break;
        case 'send':
          out(`linli: ${indent(await send(opts, creds, parsed.action))}`);
          break;
        case 'empty':
          break;
      }
      if (interactive) rl.prompt();
    }
    return 0;
  } catch (err) {
    if (!(err instanceof Unreachable)) throw err;
    process.stderr.write(`chat: ${err.message}\n`);
    return 1;
  } finally {
    rl.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`chat: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
