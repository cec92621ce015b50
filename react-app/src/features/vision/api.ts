import { uploadForm } from '../../lib/api';

export interface Page {
  number: number;
  text: string;
  method: 'text' | 'ocr' | string;
}

export interface UploadResult {
  document: { filename: string; mime_type: string; pages: Page[]; text: string };
  analysis: { text: string; engine: string; model?: string; offline?: boolean; notice?: string | null } | null;
}

export function uploadDocument(file: File, opts: { prompt: string; analyze: boolean; onProgress: (f: number) => void; signal: AbortSignal }) {
  const form = new FormData();
  form.append('file', file, file.name);
  if (opts.prompt.trim()) form.append('prompt', opts.prompt.trim());
  form.append('analyze', opts.analyze ? 'true' : 'false');
  return uploadForm<UploadResult>('/api/upload', form, { onProgress: opts.onProgress, signal: opts.signal });
}

/** The markdown sent to the PDF export: the analysis, then each page's text. */
export function resultAsMarkdown(r: UploadResult, question: string): string {
  const parts: string[] = [];
  if (question.trim()) parts.push(`**Question:** ${question.trim()}`);
  if (r.analysis) parts.push(`## Analysis (${r.analysis.engine})\n\n${r.analysis.text}`);
  for (const p of r.document.pages) {
    parts.push(`## Page ${p.number} (${p.method === 'ocr' ? 'OCR' : 'text layer'})\n\n${p.text || '_No text found._'}`);
  }
  return parts.join('\n\n');
}
