import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { MessageItem } from '../features/chat/MessageItem';
import Markdown from './Markdown';

/** Model output is untrusted: a prompt can make a model write anything, including markup aimed at the reader. */
const HOSTILE = [
  'Here is **bold** text.',
  '<img src=x onerror=alert(1)>',
  '<script>alert("script")</script>',
  '<svg onload=alert(2)><circle r=5 /></svg>',
  '<iframe src="javascript:alert(3)"></iframe>',
  '<a href="javascript:alert(4)" onclick="alert(5)">raw link</a>',
  '<div style="background:url(javascript:alert(6))" onmouseover="alert(7)">hover</div>',
  '[md link](javascript:alert(8))',
  '[mixed case](JaVaScRiPt:alert(9))',
  '[encoded](&#106;avascript:alert(10))',
  '[vb](vbscript:msgbox(11))',
  '[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxMik8L3NjcmlwdD4=)',
  '<javascript:alert(13)>',
  '![pic](javascript:alert(14))',
  '<form action="javascript:alert(15)"><button formaction="javascript:alert(16)">go</button></form>',
  '[ok link](https://example.com/page)',
].join('\n\n');

/** Everything that could run script when shown, clicked or hovered. */
function dangers(root: HTMLElement): string[] {
  const found: string[] = [];
  for (const el of [root, ...Array.from(root.querySelectorAll('*'))]) {
    const tag = el.tagName.toLowerCase();
    const ownIcon = tag === 'svg' && el.classList.contains('icon') && el.getAttribute('aria-hidden') === 'true'; // the copy button's
    if (!ownIcon && ['script', 'iframe', 'object', 'embed', 'form', 'style', 'svg', 'math', 'base', 'meta', 'link'].includes(tag)) found.push(`<${tag}>`);
    for (const attr of Array.from(el.attributes)) {
      const value = attr.value.replace(/[\s\u0000-\u001f]/g, '').toLowerCase();
      if (attr.name.toLowerCase().startsWith('on')) found.push(`${tag}[${attr.name}]`);
      if (attr.name === 'style') found.push(`${tag}[style]`);
      if (/^(javascript|vbscript|data):/.test(value)) found.push(`${tag}[${attr.name}=${attr.value}]`);
    }
  }
  return found;
}

describe('model output is rendered harmless', () => {
  it('(the check itself finds handlers, script URLs and script elements)', () => {
    const raw = document.createElement('div');
    raw.innerHTML = '<img src=x onerror="alert(1)"><a href=" JaVa\tScript:alert(2)">x</a><script>alert(3)</script>';
    expect(dangers(raw)).toEqual(['img[onerror]', 'a[href= JaVa\tScript:alert(2)]', '<script>']);
  });

  it('Markdown drops raw HTML, event handlers and script URLs, and keeps the formatting', () => {
    const { container } = render(<Markdown text={HOSTILE} />);
    expect(screen.getByText('bold', { selector: 'strong' })).toBeInTheDocument();
    expect(dangers(container)).toEqual([]);
    expect(container.querySelectorAll('img[src="x"]')).toHaveLength(0);
    // Links keep their text; only a safe web address stays clickable, opened without access to this page.
    const links = Array.from(container.querySelectorAll('a'));
    expect(links.filter((a) => a.getAttribute('href')).map((a) => a.getAttribute('href'))).toEqual(['https://example.com/page']);
    expect(links.find((a) => a.textContent === 'ok link')).toHaveAttribute('rel', 'noopener noreferrer');
    expect(container).toHaveTextContent('md link');
  });

  it('an assistant message with that content, once the Markdown chunk has loaded, has nothing that runs', async () => {
    const { container } = render(<MessageItem message={{ id: 'm1', role: 'assistant', content: HOSTILE }} />);
    await screen.findByText('bold', { selector: 'strong' }, { timeout: 8000 });
    expect(dangers(container)).toEqual([]);
  });

  it('a user message is shown as the text that was typed', () => {
    const typed = '<img src=x onerror=alert(1)> <script>alert(2)</script>';
    const { container } = render(<MessageItem message={{ id: 'u1', role: 'user', content: typed }} />);
    expect(screen.getByText(typed)).toBeInTheDocument();
    expect(dangers(container)).toEqual([]);
  });
});
