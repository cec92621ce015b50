import { describe, expect, it } from 'vitest';
import { parseWavHeader, PcmScheduler, UnsupportedWav, WavStreamDecoder } from './pcmStream';

/** The header assistant/audio/wav.py writes for a stream: 16-bit PCM, sizes 0xFFFFFFFF. */
function header(rate: number, channels = 1, bits = 16, code = 1, extra: Buffer = Buffer.alloc(0)): Buffer {
  const b = Buffer.alloc(44);
  b.write('RIFF', 0);
  b.writeUInt32LE(0xffffffff, 4);
  b.write('WAVE', 8);
  b.write('fmt ', 12);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(code, 20);
  b.writeUInt16LE(channels, 22);
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE((rate * channels * bits) / 8, 28);
  b.writeUInt16LE((channels * bits) / 8, 32);
  b.writeUInt16LE(bits, 34);
  b.write('data', 36);
  b.writeUInt32LE(0xffffffff, 40);
  return extra.length ? Buffer.concat([b.subarray(0, 36), extra, b.subarray(36)]) : b;
}

const values = (n: number, from = 0) => Array.from({ length: n }, (_, i) => (((from + i) * 7919) % 65536) - 32768);
const pcm16 = (v: number[]) => {
  const b = Buffer.alloc(v.length * 2);
  v.forEach((x, i) => b.writeInt16LE(x, i * 2));
  return b;
};
const ints = (f: Float32Array) => Array.from(f, (x) => Math.round(x * 32768));
const u8 = (b: Buffer) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

describe('parseWavHeader', () => {
  it('reads the streamed header: rate, channels, bits, where the samples start', () => {
    expect(parseWavHeader(u8(header(24000)))).toEqual({ format: { sampleRate: 24000, channels: 1, bitsPerSample: 16, float: false }, dataOffset: 44 });
  });

  it('waits for more bytes, skips other chunks, refuses what is not PCM', () => {
    expect(parseWavHeader(u8(header(22050).subarray(0, 40)))).toBeNull();
    const list = Buffer.concat([Buffer.from('LIST'), Buffer.from([3, 0, 0, 0]), Buffer.from('abc\0')]); // odd size, padded
    expect(parseWavHeader(u8(header(22050, 2, 16, 1, list)))?.dataOffset).toBe(56);
    expect(() => parseWavHeader(u8(header(8000, 1, 4, 0x11)))).toThrow(UnsupportedWav); // IMA ADPCM
    expect(() => parseWavHeader(u8(Buffer.from('OggS\0\0\0\0\0\0\0\0\0\0')))).toThrow(UnsupportedWav);
  });
});

describe('WavStreamDecoder', () => {
  it('turns every byte into samples however the stream is cut, carrying split samples over', () => {
    const v = values(1001);
    const bytes = Buffer.concat([header(24000), pcm16(v)]);
    for (const cuts of [[1, 30, 44, 45, 47, 1000, 1001, 2045], [43, 44, 46], [45], [2000]]) {
      const dec = new WavStreamDecoder();
      const out: number[] = [];
      let at = 0;
      for (const end of [...cuts, bytes.length]) {
        const got = dec.push(u8(Buffer.from(bytes.subarray(at, end)))); // a fresh buffer each time, like a reader
        at = end;
        if (got) {
          expect(got).toHaveLength(1);
          out.push(...ints(got[0]));
        }
      }
      expect(dec.format?.sampleRate).toBe(24000);
      expect(out).toEqual(v);
    }
  });

  it('splits interleaved channels', () => {
    const left = values(10);
    const right = values(10, 500);
    const dec = new WavStreamDecoder();
    const got = dec.push(u8(Buffer.concat([header(48000, 2), pcm16(left.flatMap((l, i) => [l, right[i]]))])))!;
    expect(got.map(ints)).toEqual([left, right]);
  });

  it('returns nothing until a whole sample has arrived', () => {
    const dec = new WavStreamDecoder();
    expect(dec.push(u8(header(24000).subarray(0, 20)))).toBeNull();
    expect(dec.push(u8(Buffer.concat([header(24000).subarray(20), Buffer.from([0x34])])))).toBeNull();
    expect(ints(dec.push(u8(Buffer.from([0x12])))![0])).toEqual([0x1234]);
  });
});

describe('PcmScheduler', () => {
  class Source {
    buffer: { duration: number } | null = null;
    at: number | null = null;
    stopped = false;
    onended: (() => void) | null = null;
    connect() {}
    disconnect() {}
    start(at: number) {
      this.at = at;
    }
    stop() {
      this.stopped = true;
    }
  }
  function context() {
    const sources: Source[] = [];
    const ctx = {
      currentTime: 10,
      destination: {},
      createBuffer: (channels: number, length: number, rate: number) => {
        const data = Array.from({ length: channels }, () => new Float32Array(length));
        return { duration: length / rate, getChannelData: (c: number) => data[c], data };
      },
      createBufferSource: () => {
        const s = new Source();
        sources.push(s);
        return s;
      },
    };
    return { ctx, sources };
  }

  it('plays runs back to back, starts afresh after falling behind, says when all has played', () => {
    const { ctx, sources } = context();
    const player = new PcmScheduler(ctx as unknown as AudioContext, 0.05);
    let drained = 0;
    player.onDrained = () => drained++;
    expect(player.schedule([new Float32Array(2400)], 24000)).toBeCloseTo(10.05);
    expect(player.schedule([new Float32Array(1200)], 24000)).toBeCloseTo(10.15);
    sources.forEach((s) => s.onended?.());
    ctx.currentTime = 20; // the network fell behind: the next run starts a moment from now
    expect(player.schedule([new Float32Array(100)], 24000)).toBeCloseTo(20.05);
    player.finish();
    expect(drained).toBe(0);
    sources[2].onended?.();
    expect(drained).toBe(1);
  });

  it('stop silences every scheduled run', () => {
    const { ctx, sources } = context();
    const player = new PcmScheduler(ctx as unknown as AudioContext);
    let drained = 0;
    player.onDrained = () => drained++;
    player.schedule([new Float32Array(10)], 8000);
    player.schedule([new Float32Array(10)], 8000);
    player.stop();
    expect(sources.every((s) => s.stopped)).toBe(true);
    expect(player.schedule([new Float32Array(10)], 8000)).toBe(-1);
    player.finish();
    expect(drained).toBe(0);
  });
});
