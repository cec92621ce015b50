/** Shown while a page's code or the data it depends on is on its way. */
export function PageLoading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="page-loading" role="status">
      <span className="spinner" aria-hidden="true" /> {label}
    </div>
  );
}
