import { useState } from 'react';
import { copyText } from '../lib/download';
import { Icon } from './Icon';

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="btn btn-ghost btn-sm"
      onClick={async () => {
        setCopied(await copyText(text));
        setTimeout(() => setCopied(false), 1500);
      }}
    >
      <Icon name="copy" size={15} /> <span aria-live="polite">{copied ? 'Copied' : label}</span>
    </button>
  );
}
