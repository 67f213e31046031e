/**
 * The codec's one catalogue of error codes (the Fastify lesson, see docs/architecture.md):
 * the webhook and the tests switch on `code`, never on message text. Each code carries the
 * HTTP status the webhook should answer. Messages never echo request content, so they are
 * safe to log; `expose` says whether the message may reach the client (never for 5xx).
 *
 * Where a code matches one of the official WXBizMsgCrypt sample codes (protocol notes §4,
 * last paragraph) it is named in `official`, which helps when comparing logs with Tencent's
 * samples.
 */
export const CODEC_ERRORS = {
  /** `signature` / `msg_signature` missing or wrong (or timestamp/nonce missing). */
  bad_signature: { status: 401, official: -40001 },
  /** Query `timestamp` outside the configured tolerance, in either direction. */
  stale_timestamp: { status: 401 },
  /** The receiveid trailer inside the ciphertext is not our AppID / CorpID. */
  wrong_app_id: { status: 401, official: -40005 },
  /** A plaintext OA push arrived although the account is configured to require encryption. */
  encryption_required: { status: 401 },
  /** Not well-formed XML, wrong root, or a required field (FromUserName, MsgType, …) missing. */
  malformed_xml: { status: 400, official: -40002 },
  /** `<!DOCTYPE` or `<!ENTITY` somewhere in the body: entity bombs and XXE are refused unparsed. */
  forbidden_doctype: { status: 400 },
  /** Body does not look like markup at all (JSON, plain text, binary). */
  not_xml: { status: 400 },
  /** Zero-length (or whitespace-only) body. */
  empty_body: { status: 400 },
  /** Body larger than the configured maximum. */
  body_too_large: { status: 413 },
  /** A required query parameter other than the signature (e.g. `echostr`) is missing or invalid. */
  bad_query: { status: 400 },
  /** Base64 invalid, ciphertext truncated / not whole blocks, length field or UTF-8 invalid. */
  bad_ciphertext: { status: 400, official: -40007 },
  /** PKCS#7 padding byte 0, above 32, or the padding bytes disagree. */
  bad_padding: { status: 400, official: -40007 },
  /** EncodingAESKey is not 43 characters decoding to 32 bytes: our configuration, not the caller. */
  bad_aes_key: { status: 500, official: -40004 },
  /** We were asked to encode an impossible reply (e.g. news with no articles): a bug on our side. */
  bad_reply: { status: 500, official: -40011 },
} as const satisfies Record<string, { status: number; official?: number }>;

/** Every code the codec can throw. */
export type CodecErrorCode = keyof typeof CODEC_ERRORS;

/** The only error type the codec throws for bad input or bad configuration. */
export class CodecError extends Error {
  override name = 'CodecError';
  /** HTTP status the webhook should answer with. */
  readonly status: number;
  /** Whether `message` may be shown to the client (koa's convention): false for 5xx. */
  readonly expose: boolean;

  constructor(
    readonly code: CodecErrorCode,
    message: string = code,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.status = CODEC_ERRORS[code].status;
    this.expose = this.status < 500;
  }
}

/** Type guard that also narrows to one code when given. */
export function isCodecError(err: unknown, code?: CodecErrorCode): err is CodecError {
  return err instanceof CodecError && (code === undefined || err.code === code);
}
