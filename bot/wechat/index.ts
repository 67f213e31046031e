/**
 * The WeChat/WeCom channel codec: pure functions from HTTP request parts to
 * `InboundMessage` and from `OutboundReply` to a response body. No I/O, no koa.
 * (The API client in this folder is not re-exported here; import it from its own module.)
 */
export { CODEC_ERRORS, CodecError, isCodecError, type CodecErrorCode } from './errors.js';
export { msgSignature, plainSignature, safeEqual, signatureMatches } from './signature.js';
export { aesKeyFromEncodingKey, decryptMessage, decryptPayload, encryptMessage, type DecryptedPayload } from './aes.js';
export {
  DEFAULT_MAX_XML_BYTES,
  buildXml,
  cdata,
  decodeEntities,
  parseXml,
  type XmlBuildRecord,
  type XmlBuildValue,
  type XmlRecord,
  type XmlValue,
} from './xml.js';
export { normalizeInbound, type InboundBody, type InboundCommon, type InboundEvent, type InboundMessage } from './inbound.js';
export {
  checkTimestamp,
  decodeRequest,
  encodeReply,
  encodeResponse,
  encryptEnvelope,
  openEnvelope,
  verifyUrl,
  type ChannelMode,
  type DecodeRequestInput,
  type DecodedRequest,
  type EncodeResponseInput,
  type EnvelopeInput,
  type NewsArticle,
  type OutboundReply,
  type Query,
  type ReplyAddress,
} from './reply.js';
