// One serialisation interface for every board device: `save()` returns a versioned record of plain
// JSON data, `load(record)` restores it. A record is validated whole before anything is assigned, so
// a device never holds half of a record; an unknown version or a damaged field is a DeviceStateError.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A device's saved state: `version` names the record's layout, the rest is the device's own. */
export interface DeviceRecord {
  version: number;
  [field: string]: JsonValue;
}

/** A device whose state can be saved and restored (shared by all boards). */
export interface SavableDevice {
  save(): DeviceRecord;
  /** Restore a record from `save()` (of this or an older release); throws DeviceStateError. */
  load(record: DeviceRecord): void;
}

/** A record that cannot be loaded: unknown version, missing or out-of-range field. */
export class DeviceStateError extends Error {
  override name = 'DeviceStateError';
  constructor(
    readonly device: string,
    detail: string,
  ) {
    super(`${device} state: ${detail}`);
  }
}

/** Reads the fields of one record with range checks; every failure names the device and field. */
export class RecordReader {
  readonly version: number;

  constructor(
    readonly device: string,
    private readonly record: unknown,
    versions: readonly number[],
  ) {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      throw new DeviceStateError(device, 'not a record');
    }
    const v = (record as { version?: unknown }).version;
    if (typeof v !== 'number' || !versions.includes(v)) {
      throw new DeviceStateError(
        device,
        `record version ${JSON.stringify(v)} is unknown (this release reads ${versions.join(', ')})`,
      );
    }
    this.version = v;
  }

  private fail(field: string, what: string): never {
    throw new DeviceStateError(this.device, `field "${field}" ${what}`);
  }

  private raw(field: string): unknown {
    const v = (this.record as Record<string, unknown>)[field];
    if (v === undefined) this.fail(field, 'is missing');
    return v;
  }

  has(field: string): boolean {
    return (this.record as Record<string, unknown>)[field] !== undefined;
  }

  /** An integer in [min, max]. */
  int(field: string, min = 0, max = 0xffffffff): number {
    const v = this.raw(field);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.fail(field, `must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
    }
    return v;
  }

  /** A finite number (virtual time, which may be fractional). */
  num(field: string, min = Number.NEGATIVE_INFINITY): number {
    const v = this.raw(field);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min) this.fail(field, 'must be a finite number');
    return v;
  }

  bool(field: string): boolean {
    const v = this.raw(field);
    if (typeof v !== 'boolean') this.fail(field, 'must be true or false');
    return v;
  }

  str(field: string, allowed?: readonly string[]): string {
    const v = this.raw(field);
    if (typeof v !== 'string' || (allowed && !allowed.includes(v))) {
      this.fail(field, allowed ? `must be one of ${allowed.join(', ')}` : 'must be a string');
    }
    return v;
  }

  /** An integer or null (for optional values such as a latched count). */
  optInt(field: string, min = 0, max = 0xffffffff): number | undefined {
    return (this.record as Record<string, unknown>)[field] === null ? undefined : this.int(field, min, max);
  }

  /** An array of integers in [min, max], of exactly `length` entries when given. */
  ints(field: string, length: number | undefined, min = 0, max = 0xff): number[] {
    const v = this.raw(field);
    if (!Array.isArray(v) || (length !== undefined && v.length !== length)) {
      this.fail(field, `must be an array${length === undefined ? '' : ` of ${length}`} integers`);
    }
    for (const x of v) {
      if (typeof x !== 'number' || !Number.isInteger(x) || x < min || x > max) {
        this.fail(field, `holds ${JSON.stringify(x)}, not an integer from ${min} to ${max}`);
      }
    }
    return v as number[];
  }

  bools(field: string, length: number): boolean[] {
    const v = this.raw(field);
    if (!Array.isArray(v) || v.length !== length || !v.every((b) => typeof b === 'boolean')) {
      this.fail(field, `must be an array of ${length} booleans`);
    }
    return v as boolean[];
  }

  /** An array of integer arrays, each of `inner` entries in [min, max]. */
  intLists(field: string, inner: number, min = 0, max = 0xff): number[][] {
    const v = this.raw(field);
    const ok = (x: unknown) => typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max;
    if (!Array.isArray(v) || !v.every((e) => Array.isArray(e) && e.length === inner && e.every(ok))) {
      this.fail(field, `must be an array of ${inner}-integer arrays (${min} to ${max})`);
    }
    return v as number[][];
  }

  /** Bytes stored as base64, of exactly `length` bytes when given. */
  bytes(field: string, length?: number): Uint8Array {
    const v = this.raw(field);
    if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) this.fail(field, 'must be base64 text');
    const out = new Uint8Array(Buffer.from(v, 'base64'));
    if (length !== undefined && out.length !== length) {
      this.fail(field, `must hold ${length} bytes, holds ${out.length}`);
    }
    return out;
  }

  /** A nested record (an array element or sub-device), read with the same rules. */
  sub(field: string): RecordReader {
    return new RecordReader(`${this.device}.${field}`, { version: 0, ...(this.raw(field) as object) }, [0]);
  }

  /** The elements of an array of objects, each as a reader. */
  list(field: string, length?: number): RecordReader[] {
    const v = this.raw(field);
    if (!Array.isArray(v) || (length !== undefined && v.length !== length)) {
      this.fail(field, `must be an array${length === undefined ? '' : ` of ${length}`} records`);
    }
    return v.map((e, i) => {
      if (typeof e !== 'object' || e === null || Array.isArray(e))
        this.fail(`${field}[${i}]`, 'is not a record');
      return new RecordReader(`${this.device}.${field}[${i}]`, { version: 0, ...e }, [0]);
    });
  }
}

export function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
