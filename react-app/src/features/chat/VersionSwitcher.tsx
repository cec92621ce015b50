import { Icon } from '../../components/Icon';

/**
 * "‹ 2 / 3 ›" between the versions of a message. The buttons stay focusable at either end (aria-disabled,
 * not disabled), so a keyboard user flipping through does not lose their place.
 */
export function VersionSwitcher({ versions, current, kind, busy, onFlip }: { versions: string[]; current: string; kind: 'question' | 'reply'; busy?: boolean; onFlip: (id: string) => void }) {
  const at = Math.max(0, versions.indexOf(current));
  const n = versions.length;
  const go = (to: number) => {
    if (busy || to < 0 || to >= n) return;
    onFlip(versions[to]);
  };
  return (
    <div className="version-switcher" role="group" aria-label={`Versions of this ${kind}`}>
      <button type="button" className="btn btn-ghost btn-icon btn-sm" aria-label="Previous version" aria-disabled={busy || at === 0} onClick={() => go(at - 1)}>
        <Icon name="chevronLeft" size={15} />
      </button>
      <span className="version-count" aria-hidden="true">
        {at + 1} / {n}
      </span>
      <span className="sr-only">
        Version {at + 1} of {n}
      </span>
      <button type="button" className="btn btn-ghost btn-icon btn-sm" aria-label="Next version" aria-disabled={busy || at === n - 1} onClick={() => go(at + 1)}>
        <Icon name="chevronRight" size={15} />
      </button>
    </div>
  );
}
