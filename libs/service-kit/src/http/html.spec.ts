import { escapeHtml, Html, html } from './html.js';

describe('html', () => {
  it('escapes every interpolated text, in content and in attributes', () => {
    const name = `<script>alert("x")</script> & 'friends'`;
    expect(html`<li title="${name}">${name}</li>`.text).toBe(
      '<li title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;friends&#39;">' +
        '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;friends&#39;</li>',
    );
  });

  it('writes Html and lists of Html as they are, and nothing for absent values', () => {
    const items = ['a<b', 'c'].map((item) => html`<li>${item}</li>`);
    expect(
      html`<ul>
        ${items}
      </ul>`.text.replace(/\s+/g, ''), // prettier lays the template out
    ).toBe('<ul><li>a&lt;b</li><li>c</li></ul>');
    expect(html`${undefined}${null}${false}${0}`.text).toBe('0');
    expect(html`${new Html('<br />')}`.text).toBe('<br />');
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
  });
});
