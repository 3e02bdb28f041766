// Optional persistence of an emulator's state as one JSON file: loaded on start, written (debounced, atomically via
// rename) after changes and on close. The JSON is streamed record by record, so a state of several hundred MB never
// has to exist as one string (V8 caps strings at ~512 MB).

import { createWriteStream, existsSync, promises as fs, readFileSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

/** Writes `value` as JSON to `path`, streaming arrays and objects element by element down to `depth` levels. */
export async function writeJsonStream(path: string, value: unknown, depth = 4): Promise<void> {
  const out: WriteStream = createWriteStream(path, { encoding: 'utf8' });
  const failed = new Promise<never>((_resolve, reject) => out.once('error', reject));
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await Promise.race([new Promise<void>((resolve) => out.once('drain', resolve)), failed]);
  };
  const emit = async (v: unknown, level: number): Promise<void> => {
    if (level >= depth || v === null || typeof v !== 'object') {
      await write(JSON.stringify(v) ?? 'null');
      return;
    }
    if (Array.isArray(v)) {
      await write('[');
      for (let i = 0; i < v.length; i++) {
        if (i > 0) await write(',');
        await emit(v[i], level + 1);
      }
      await write(']');
      return;
    }
    await write('{');
    let first = true;
    for (const [key, child] of Object.entries(v as Record<string, unknown>)) {
      if (child === undefined) continue;
      await write(`${first ? '' : ','}${JSON.stringify(key)}:`);
      first = false;
      await emit(child, level + 1);
    }
    await write('}');
  };
  await emit(value, 0);
  await Promise.race([new Promise<void>((resolve) => out.end(resolve)), failed]);
}

/** A JSON state file with debounced, non-overlapping, atomic writes. */
export class StateFile<T> {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;

  /**
   * `snapshot` produces the state to write; `debounceMs` groups bursts of changes into one write. (Default: 1000)
   */
  constructor(
    readonly path: string,
    private readonly snapshot: () => T,
    private readonly debounceMs = 1000,
  ) {}

  /** Reads and parses the file; undefined when it does not exist. Throws when it exists but is not valid JSON. */
  load(): T | undefined {
    if (!existsSync(this.path)) return undefined;
    return JSON.parse(readFileSync(this.path, 'utf8')) as T;
  }

  /** Notes a change; the state is written after `debounceMs` of quiet. */
  markDirty(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush().catch(() => undefined);
    }, this.debounceMs);
    this.timer.unref();
  }

  /** Writes the state now if anything changed since the last write; resolves when it is on disk. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const previous = this.writing;
    this.writing = (async () => {
      await previous.catch(() => undefined);
      if (!this.dirty) return;
      this.dirty = false;
      const state = this.snapshot();
      await fs.mkdir(dirname(this.path), { recursive: true });
      const tmp = `${this.path}.${process.pid}.tmp`;
      await writeJsonStream(tmp, state);
      await fs.rename(tmp, this.path);
    })();
    return this.writing;
  }

  /** Marks the state dirty and flushes it (used on close and after a seed). */
  async saveNow(): Promise<void> {
    this.dirty = true;
    await this.flush();
  }
}
