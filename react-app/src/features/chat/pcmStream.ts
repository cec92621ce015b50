/**
 * Playing a WAV while it streams in (POST /api/speech sends its header first, with unknown sizes, then PCM
 * sentence by sentence): WavStreamDecoder turns the arriving bytes into whole sample frames, PcmScheduler
 * plays each run as an AudioBuffer right after the one before on one AudioContext.
 */

export interface WavFormat {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** IEEE float samples (format 3), else signed integers (unsigned for 8 bits). */
  float: boolean;
}

/** A WAV this decoder cannot read (not PCM, a compressed format): play it another way. */
export class UnsupportedWav extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedWav';
  }
}

/** A streamed WAV's header is 44 bytes; this much without a data chunk is not a WAV to stream. */
const MAX_HEADER_BYTES = 64 * 1024;
const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;

const tag = (b: Uint8Array, at: number) => String.fromCharCode(b[at], b[at + 1], b[at + 2], b[at + 3]);

/**
 * The format and where the samples start, or null while more bytes are needed. The data chunk's size is
 * ignored: a streamed WAV declares 0xFFFFFFFF and its samples run to the end of the stream.
 */
export function parseWavHeader(bytes: Uint8Array): { format: WavFormat; dataOffset: number } | null {
  if (bytes.length < 12) return null;
  if (tag(bytes, 0) !== 'RIFF' || tag(bytes, 8) !== 'WAVE') throw new UnsupportedWav('not a RIFF/WAVE file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let format: WavFormat | null = null;
  let pos = 12;
  while (pos + 8 <= bytes.length) {
    const id = tag(bytes, pos);
    const size = view.getUint32(pos + 4, true);
    if (id === 'data') {
      if (!format) throw new UnsupportedWav('WAV data before its format');
      return { format, dataOffset: pos + 8 };
    }
    if (pos + 8 + size > bytes.length) break; // the rest of this chunk has not arrived yet
    if (id === 'fmt ') {
      if (size < 16) throw new UnsupportedWav('WAV format chunk too short');
      let code = view.getUint16(pos + 8, true);
      const channels = view.getUint16(pos + 10, true);
      const sampleRate = view.getUint32(pos + 12, true);
      const bitsPerSample = view.getUint16(pos + 22, true);
      if (code === FORMAT_EXTENSIBLE && size >= 40) code = view.getUint16(pos + 32, true); // the sub-format GUID's first two bytes
      const ok =
        channels > 0 && sampleRate > 0 && ((code === FORMAT_PCM && [8, 16, 24, 32].includes(bitsPerSample)) || (code === FORMAT_FLOAT && bitsPerSample === 32));
      if (!ok) throw new UnsupportedWav(`WAV format ${code}, ${channels} channel(s), ${bitsPerSample} bits`);
      format = { sampleRate, channels, bitsPerSample, float: code === FORMAT_FLOAT };
    }
    pos += 8 + size + (size & 1);
  }
  if (bytes.length > MAX_HEADER_BYTES) throw new UnsupportedWav('no data chunk in the WAV');
  return null;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (!a.length) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Bytes in, samples out: each push returns the whole frames that have arrived, one Float32Array per channel
 * (null while there are none), and keeps a split frame (an odd byte of a 16-bit sample) for the next push,
 * so no sound is lost between network chunks.
 */
export class WavStreamDecoder {
  format: WavFormat | null = null;
  /** Before the format is known: every byte so far; after: the start of a frame split between chunks. */
  private pending: Uint8Array = new Uint8Array(0);

  push(chunk: Uint8Array): Float32Array[] | null {
    let bytes = concat(this.pending, chunk);
    if (!this.format) {
      const head = parseWavHeader(bytes);
      if (!head) {
        this.pending = bytes === chunk ? chunk.slice() : bytes;
        return null;
      }
      this.format = head.format;
      bytes = bytes.subarray(head.dataOffset);
    }
    const { channels, bitsPerSample, float } = this.format;
    const width = bitsPerSample / 8;
    const frames = Math.floor(bytes.length / (width * channels));
    const used = frames * width * channels;
    this.pending = bytes.slice(used); // a copy: the reader may reuse its buffer
    if (!frames) return null;
    const view = new DataView(bytes.buffer, bytes.byteOffset, used);
    const out = Array.from({ length: channels }, () => new Float32Array(frames));
    for (let f = 0, at = 0; f < frames; f++) {
      for (let c = 0; c < channels; c++, at += width) out[c][f] = sample(view, at, width, float);
    }
    return out;
  }
}

function sample(view: DataView, at: number, width: number, float: boolean): number {
  switch (width) {
    case 1:
      return (view.getUint8(at) - 128) / 128;
    case 2:
      return view.getInt16(at, true) / 32768;
    case 3:
      return ((view.getUint8(at) | (view.getUint8(at + 1) << 8) | (view.getInt8(at + 2) << 16)) / 8388608);
    default:
      return float ? view.getFloat32(at, true) : view.getInt32(at, true) / 2147483648;
  }
}

/**
 * Runs of samples played back to back on one AudioContext: each starts where the one before ends (or,
 * after the stream fell behind, a moment from now). `finish` says no more will come; `onDrained` is called
 * once everything scheduled has played. `stop` silences it all at once.
 */
export class PcmScheduler {
  onDrained: (() => void) | null = null;
  /** How many runs have been scheduled so far. */
  scheduled = 0;
  private next = 0;
  private finished = false;
  private stopped = false;
  private readonly live = new Set<AudioBufferSourceNode>();

  /** `lead`: seconds between a run's arrival and its start when nothing is playing (absorbs jitter). */
  constructor(
    private readonly ctx: AudioContext,
    private readonly lead = 0.05,
  ) {}

  /** Plays `channels` (one Float32Array per channel) after what is already scheduled; returns its start time. */
  schedule(channels: Float32Array[], sampleRate: number): number {
    if (this.stopped) return -1;
    const buffer = this.ctx.createBuffer(channels.length, channels[0].length, sampleRate);
    channels.forEach((data, c) => buffer.getChannelData(c).set(data));
    const source = this.ctx.createBufferSource();
    source.buffer = buffer;
    source.connect(this.ctx.destination);
    const at = Math.max(this.next, this.ctx.currentTime + (this.live.size ? 0 : this.lead));
    source.onended = () => {
      this.live.delete(source);
      source.disconnect();
      this.drainedYet();
    };
    this.live.add(source);
    source.start(at);
    this.next = at + buffer.duration;
    this.scheduled++;
    return at;
  }

  finish() {
    this.finished = true;
    this.drainedYet();
  }

  stop() {
    this.stopped = true;
    this.onDrained = null;
    for (const source of this.live) {
      source.onended = null;
      try {
        source.stop();
      } catch {
        /* never started or already stopped */
      }
      source.disconnect();
    }
    this.live.clear();
  }

  private drainedYet() {
    if (this.finished && !this.stopped && this.live.size === 0) {
      const done = this.onDrained;
      this.onDrained = null;
      done?.();
    }
  }
}
