import { lazy, Suspense } from 'react';

const Markdown = lazy(() => import('./Markdown'));

export function LazyMarkdown({ text }: { text: string }) {
  return (
    <Suspense fallback={<div className="markdown plain">{text}</div>}>
      <Markdown text={text} />
    </Suspense>
  );
}
