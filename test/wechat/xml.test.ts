import { describe, expect, it } from 'vitest';
import { buildXml, type CodecError, parseXml } from '../../bot/wechat/index.js';
import { codeOf } from '../support/codec.js';

describe('parseXml', () => {
  it('reads CDATA and plain elements alike, everything as strings', () => {
    const f = parseXml(
      '<xml>\n<A><![CDATA[one]]></A>\n<B>two</B>\n<MsgId>9223372036854775807</MsgId><FromUserName>0012345</FromUserName><CreateTime>1409735668</CreateTime></xml>',
    );
    expect(f).toEqual({ A: 'one', B: 'two', MsgId: '9223372036854775807', FromUserName: '0012345', CreateTime: '1409735668' });
  });

  it('keeps CDATA content verbatim and layout whitespace around it out', () => {
    const f = parseXml('<xml><MsgType>  <![CDATA[video]]></MsgType><C><![CDATA[ a &amp; <b> ]]></C></xml>');
    expect(f).toEqual({ MsgType: 'video', C: ' a &amp; <b> ' });
  });

  it('decodes the five predefined entities and character references in one pass', () => {
    const f = parseXml('<xml><C>&lt;&gt;&amp;&quot;&apos; &amp;lt; &#x4F60;&#22909; &foo;</C></xml>');
    expect(f['C']).toBe('<>&"\' &lt; 你好 &foo;');
  });

  it('joins CDATA split around ]]>', () => {
    expect(parseXml('<xml><C><![CDATA[a]]]]><![CDATA[>b]]></C></xml>')['C']).toBe('a]]>b');
  });

  it('turns empty and self-closing elements into empty strings', () => {
    expect(parseXml('<xml><EventKey><![CDATA[]]></EventKey><A></A><B/></xml>')).toEqual({ EventKey: '', A: '', B: '' });
  });

  it('nests records and collects repeated siblings into arrays', () => {
    const f = parseXml('<xml><Articles><item><Title>a</Title></item><item><Title>b</Title></item></Articles></xml>');
    expect(f).toEqual({ Articles: { item: [{ Title: 'a' }, { Title: 'b' }] } });
  });

  it('accepts an XML declaration and a BOM', () => {
    expect(parseXml('\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<xml><A>1</A></xml>\n')).toEqual({ A: '1' });
  });

  it('rejects an empty body', () => {
    expect(codeOf(() => parseXml(''))).toBe('empty_body');
    expect(codeOf(() => parseXml(' \n '))).toBe('empty_body');
  });

  it('rejects a body that is not markup', () => {
    expect(codeOf(() => parseXml('{"tousername":"x","encrypt":"y"}'))).toBe('not_xml');
    expect(codeOf(() => parseXml('success'))).toBe('not_xml');
  });

  it('rejects malformed XML', () => {
    expect(codeOf(() => parseXml('<xml><A>1</B></xml>'))).toBe('malformed_xml');
    expect(codeOf(() => parseXml('<xml><A>1</A>'))).toBe('malformed_xml');
    expect(codeOf(() => parseXml('<xml>a & b</xml>'))).toBe('malformed_xml');
  });

  it('ignores comments, processing instructions and (well-formed) attributes', () => {
    expect(parseXml('<xml a="1"><!-- note --><A b=\'2\' >x</A><?pi y?><B/></xml>')).toEqual({ A: 'x', B: '' });
  });

  it('rejects what a strict reader must: a bare <, ]]> in text, unclosed CDATA or comment, bad attributes, stray text after the root', () => {
    for (const bad of [
      '<xml><A>a < b</A></xml>',
      '<xml><A>a ]]> b</A></xml>',
      '<xml><A><![CDATA[open</A></xml>',
      '<xml><!-- open <A>1</A></xml>',
      '<xml><A b=1>x</A></xml>',
      '<xml><A b="<">x</A></xml>',
      '<xml><A>1</A></xml>trailing',
      '<xml><名字>1</名字></xml>',
      '<xml><A>1</A></xml >x',
    ]) {
      expect(
        codeOf(() => parseXml(bad)),
        bad,
      ).toBe('malformed_xml');
    }
  });

  it('reads deeply nested elements without recursion', () => {
    const depth = 5000;
    const f = parseXml(`<xml>${'<a>'.repeat(depth)}x${'</a>'.repeat(depth)}</xml>`);
    let v: unknown = f;
    for (let i = 0; i < depth; i++) v = (v as Record<string, unknown>)['a'];
    expect(v).toBe('x');
  });

  it('rejects a root other than <xml> or several roots', () => {
    expect(codeOf(() => parseXml('<root><A>1</A></root>'))).toBe('malformed_xml');
    expect(codeOf(() => parseXml('<xml><A>1</A></xml><xml/>'))).toBe('malformed_xml');
  });

  it('rejects prototype-polluting element names', () => {
    expect(codeOf(() => parseXml('<xml><__proto__><A>1</A></__proto__></xml>'))).toBe('malformed_xml');
    expect(({} as Record<string, unknown>)['A']).toBeUndefined();
  });

  it('rejects a DOCTYPE with an internal entity bomb (billion laughs)', () => {
    const lol = [
      '<?xml version="1.0"?>',
      '<!DOCTYPE xml [',
      '<!ENTITY lol "lol">',
      ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`),
      ']>',
      '<xml><Content>&lol9;</Content></xml>',
    ].join('\n');
    expect(codeOf(() => parseXml(lol))).toBe('forbidden_doctype');
  });

  it('rejects an external entity (XXE)', () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Content>&xxe;</Content></xml>';
    expect(codeOf(() => parseXml(xxe))).toBe('forbidden_doctype');
  });

  it('rejects DOCTYPE/ENTITY in any case and position', () => {
    expect(codeOf(() => parseXml('<!doctype xml><xml/>'))).toBe('forbidden_doctype');
    expect(codeOf(() => parseXml('<xml><A><![CDATA[<!Entity x "y">]]></A></xml>'))).toBe('forbidden_doctype');
  });

  it('rejects a body over the size limit', () => {
    const err = (() => {
      try {
        parseXml(`<xml><A>${'好'.repeat(400)}</A></xml>`, { maxBytes: 1000 });
      } catch (e) {
        return e as CodecError;
      }
      return undefined;
    })();
    expect(err?.code).toBe('body_too_large');
    expect(err?.status).toBe(413);
  });
});

describe('buildXml', () => {
  it('writes strings as CDATA, numbers as text, in insertion order', () => {
    expect(buildXml({ ToUserName: 'o1', CreateTime: 12, MsgType: 'text', Skip: undefined })).toBe(
      '<xml><ToUserName><![CDATA[o1]]></ToUserName><CreateTime>12</CreateTime><MsgType><![CDATA[text]]></MsgType></xml>',
    );
  });

  it('splits ]]> so CDATA cannot be closed early, and parses back', () => {
    const xml = buildXml({ Content: 'a]]><Evil>x</Evil>]]>' });
    expect(xml).toBe('<xml><Content><![CDATA[a]]]]><![CDATA[><Evil>x</Evil>]]]]><![CDATA[>]]></Content></xml>');
    expect(parseXml(xml)).toEqual({ Content: 'a]]><Evil>x</Evil>]]>' });
  });

  it('writes arrays as repeated elements', () => {
    expect(buildXml({ Articles: { item: [{ Title: 'a' }, { Title: 'b' }] } })).toBe(
      '<xml><Articles><item><Title><![CDATA[a]]></Title></item><item><Title><![CDATA[b]]></Title></item></Articles></xml>',
    );
  });

  it('drops characters XML forbids, even in CDATA', () => {
    expect(buildXml({ C: 'a\u0000b\u0007c\td' })).toBe('<xml><C><![CDATA[abc\td]]></C></xml>');
  });

  it('refuses element names that would inject markup', () => {
    expect(() => buildXml({ 'A><B': 'x' })).toThrow(TypeError);
  });
});
