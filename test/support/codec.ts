import { CodecError, type CodecErrorCode } from '../../bot/wechat/index.js';

/** The error code `fn` throws (tests switch on `code`, never on message text). */
export function codeOf(fn: () => unknown): CodecErrorCode | 'no error' {
  try {
    fn();
    return 'no error';
  } catch (err) {
    if (err instanceof CodecError) return err.code;
    throw err;
  }
}
