import { CopyButton } from '../../components/CopyButton';
import { LazyMarkdown } from '../../components/LazyMarkdown';
import type { ChatMessage } from './useChat';

export function MessageItem({ message }: { message: ChatMessage }) {
  const mine = message.role === 'user';
  const incomplete = message.status === 'incomplete';
  return (
    <article className={`message ${mine ? 'message-user' : 'message-assistant'}`} aria-label={mine ? 'You said' : 'Assistant replied'}>
      <div className="message-avatar" aria-hidden="true">
        {mine ? 'You' : 'AI'}
      </div>
      <div className="message-body">
        {mine ? (
          <div className="message-text">{message.content}</div>
        ) : message.content ? (
          <LazyMarkdown text={message.content} />
        ) : message.streaming ? (
          <div className="typing" aria-label="Thinking">
            <span />
            <span />
            <span />
          </div>
        ) : null}
        {message.streaming && message.content && <span className="cursor" aria-hidden="true" />}
        {incomplete && (
          <p className="incomplete-tag">
            <span className="badge badge-warn">Incomplete</span> {message.note ?? 'This reply was cut short.'}
          </p>
        )}
        {!message.streaming && message.content && (
          <div className="message-actions">
            <CopyButton text={message.content} />
          </div>
        )}
      </div>
    </article>
  );
}
