/** Upload progress, then an indeterminate "processing" state once every byte has gone up. */
export function UploadProgress({ fraction, processingLabel }: { fraction: number | null; processingLabel: string }) {
  if (fraction === null) return null;
  const uploading = fraction < 1;
  const pct = Math.round(fraction * 100);
  return (
    <div className="progress-block">
      <div className="progress-label" aria-live="polite">
        {uploading ? `Uploading… ${pct}%` : processingLabel}
      </div>
      {uploading ? (
        <progress className="progress" max={100} value={pct} aria-label="Upload progress" />
      ) : (
        <progress className="progress" aria-label={processingLabel} />
      )}
    </div>
  );
}
