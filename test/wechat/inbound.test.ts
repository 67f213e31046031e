import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalizeInbound, parseXml, type InboundMessage } from '../../bot/wechat/index.js';
import { codeOf } from '../support/codec.js';

const load = (name: string): InboundMessage => normalizeInbound(parseXml(readFileSync(new URL(`../fixtures/wechat/${name}`, import.meta.url), 'utf8')));

const GH = 'gh_10f6c3c3ac5a';

describe('messages (protocol notes §6)', () => {
  it('text with CDATA keeps the content exactly', () => {
    expect(load('text.xml')).toEqual({
      type: 'text',
      content: '  楼下停水了，有人知道什么时候恢复吗？ & <b>not markup</b> ',
      toUser: GH,
      fromUser: 'oyORnuP8q7ou2gfYjqLzSIWZf0rs',
      createTime: 1409735668,
      msgId: '6054768590064713728',
      dedupKey: 'msg:oyORnuP8q7ou2gfYjqLzSIWZf0rs:6054768590064713728',
    });
  });

  it('text without CDATA: entities decoded, all-digit ids stay strings', () => {
    const m = load('text-no-cdata.xml');
    expect(m).toMatchObject({ type: 'text', content: 'fish & chips <3 &lt; 你好', fromUser: '0123456789', msgId: '9223372036854775807' });
    expect(typeof m.msgId).toBe('string');
  });

  it('image', () => {
    expect(load('image.xml')).toMatchObject({
      type: 'image',
      picUrl: 'http://mmbiz.qpic.cn/mmbiz_jpg/abc/0',
      mediaId: 'media_id_image_1',
      msgId: '24000000000000000001',
    });
  });

  it('voice with and without recognition', () => {
    expect(load('voice.xml')).toMatchObject({ type: 'voice', mediaId: 'media_id_voice_1', format: 'amr', recognition: '我家老人需要药' });
    const empty = load('voice-empty-recognition.xml');
    expect(empty).toMatchObject({ type: 'voice', format: 'speex' });
    expect(empty).not.toHaveProperty('recognition');
  });

  it('video and shortvideo', () => {
    expect(load('video.xml')).toMatchObject({ type: 'video', mediaId: 'media_id_video_1', thumbMediaId: 'thumb_video_1' });
    expect(load('shortvideo.xml')).toMatchObject({ type: 'shortvideo', mediaId: 'media_id_short_1', thumbMediaId: 'thumb_short_1' });
  });

  it('location', () => {
    expect(load('location.xml')).toMatchObject({ type: 'location', lat: 23.134521, lng: 113.358803, scale: 20, label: '广州市天河区某某小区3栋' });
  });

  it('link', () => {
    expect(load('link.xml')).toMatchObject({ type: 'link', title: '社区通知', description: '停水安排', url: 'https://example.org/notice?id=1&x=2' });
  });

  it('unknown MsgType normalises to unknown, never throws', () => {
    const m = load('unknown-msgtype.xml');
    expect(m).toMatchObject({ type: 'unknown', msgType: 'miniprogrampage', dedupKey: 'msg:oUser0007:24000000000000000019' });
    if (m.type === 'unknown') expect(m.raw['AppId']).toBe('wxappid');
  });

  it('WeCom text without CDATA carries AgentID', () => {
    expect(load('wecom-text.xml')).toMatchObject({ type: 'text', content: '你好', fromUser: 'ChenJiaShun', agentId: '1000002', msgId: '1456453720' });
  });
});

describe('events (protocol notes §6)', () => {
  it('subscribe with an empty EventKey has no sceneKey', () => {
    expect(load('event-subscribe.xml')).toEqual({
      type: 'event',
      event: 'subscribe',
      toUser: GH,
      fromUser: 'oUser0002',
      createTime: 1700000010,
      dedupKey: 'evt:oUser0002:1700000010:subscribe:',
    });
  });

  it('subscribe through a QR code strips qrscene_', () => {
    expect(load('event-subscribe-qrscene.xml')).toMatchObject({
      type: 'event',
      event: 'subscribe',
      sceneKey: 'building-7',
      ticket: expect.stringMatching(/^gQH47/),
      dedupKey: 'evt:oUser0003:1700000011:subscribe:qrscene_building-7',
    });
  });

  it('unsubscribe', () => {
    expect(load('event-unsubscribe.xml')).toMatchObject({ type: 'event', event: 'unsubscribe', fromUser: 'oUser0002' });
  });

  it('SCAN has the scene without prefix', () => {
    expect(load('event-scan.xml')).toMatchObject({ type: 'event', event: 'scan', sceneKey: 'building-7', ticket: expect.stringMatching(/^gQH47/) });
  });

  it('LOCATION report', () => {
    expect(load('event-location.xml')).toMatchObject({ type: 'event', event: 'location', lat: 23.137466, lng: 113.352425, precision: 119.38504 });
  });

  it('CLICK and VIEW', () => {
    expect(load('event-click.xml')).toMatchObject({
      type: 'event',
      event: 'click',
      key: 'MENU_REPORT_NEED',
      dedupKey: 'evt:oUser0004:1700000015:CLICK:MENU_REPORT_NEED',
    });
    expect(load('event-view.xml')).toMatchObject({ type: 'event', event: 'view', url: 'https://example.org/map?a=1&b=2', menuId: '418302714' });
  });

  it('TEMPLATESENDJOBFINISH reads MsgID (capital D)', () => {
    expect(load('event-template-send-job-finish.xml')).toMatchObject({
      type: 'event',
      event: 'template_send_finished',
      status: 'failed:user block',
      msgId: '200163836',
      dedupKey: 'evt:oUser0005:1700000017:TEMPLATESENDJOBFINISH:',
    });
  });

  it('other events become unknown_event with the raw fields', () => {
    const m = load('event-unknown.xml');
    expect(m).toMatchObject({ type: 'event', event: 'unknown_event', name: 'scancode_push' });
    if (m.type === 'event' && m.event === 'unknown_event') expect(m.raw['ScanCodeInfo']).toEqual({ ScanType: 'qrcode', ScanResult: '1' });
  });

  it('WeCom lower-case events', () => {
    expect(load('wecom-event-click.xml')).toMatchObject({ type: 'event', event: 'click', key: 'MENU_REPORT_NEED', agentId: '1000002' });
    expect(load('wecom-event-enter-agent.xml')).toMatchObject({ type: 'event', event: 'unknown_event', name: 'enter_agent', agentId: '1000002' });
  });
});

describe('required fields', () => {
  const base = { ToUserName: GH, FromUserName: 'o1', CreateTime: '1700000000', MsgType: 'text', Content: 'hi', MsgId: '1' };

  it('missing FromUserName or MsgType is malformed', () => {
    const { FromUserName: _f, ...noFrom } = base;
    const { MsgType: _t, ...noType } = base;
    expect(codeOf(() => normalizeInbound(noFrom))).toBe('malformed_xml');
    expect(codeOf(() => normalizeInbound(noType))).toBe('malformed_xml');
  });

  it('a non-integer CreateTime is malformed', () => {
    expect(codeOf(() => normalizeInbound({ ...base, CreateTime: 'soon' }))).toBe('malformed_xml');
  });

  it('a location without coordinates is malformed rather than 0,0', () => {
    expect(codeOf(() => normalizeInbound({ ...base, MsgType: 'location', Scale: '1', Label: '' }))).toBe('malformed_xml');
  });
});
