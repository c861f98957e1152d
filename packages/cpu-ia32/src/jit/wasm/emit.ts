// A minimal WebAssembly binary writer for block functions: one function over an imported memory,
// with i32 locals only, and the few imports a block calls. Opcodes are the spec's (WebAssembly
// Core Specification 1.0, §5.4).

export const Op = {
  unreachable: 0x00,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  return: 0x0f,
  call: 0x10,
  callIndirect: 0x11,
  drop: 0x1a,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  i32Load8S: 0x2c,
  i32Load8U: 0x2d,
  i32Load16S: 0x2e,
  i32Load16U: 0x2f,
  i32Store: 0x36,
  i32Store8: 0x3a,
  i32Store16: 0x3b,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32Ne: 0x47,
  i32LtS: 0x48,
  i32LtU: 0x49,
  i32GtS: 0x4a,
  i32GtU: 0x4b,
  i32LeS: 0x4c,
  i32LeU: 0x4d,
  i32GeS: 0x4e,
  i32GeU: 0x4f,
  i32Clz: 0x67,
  i32Ctz: 0x68,
  i32Popcnt: 0x69,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32Or: 0x72,
  i32Xor: 0x73,
  i32Shl: 0x74,
  i32ShrS: 0x75,
  i32ShrU: 0x76,
  i32WrapI64: 0xa7,
  i64ExtendI32S: 0xac,
  i64ExtendI32U: 0xad,
  i64Const: 0x42,
  i64ShrU: 0x88,
  i64Ne: 0x52,
  i64Mul: 0x7e,
  i32Extend8S: 0xc0,
  i32Extend16S: 0xc1,
} as const;
export type Op = (typeof Op)[keyof typeof Op];

const I32 = 0x7f;
const EMPTY_BLOCK = 0x40;

function uleb(out: number[], v: number): void {
  let x = v >>> 0;
  do {
    const b = x & 0x7f;
    x >>>= 7;
    out.push(x !== 0 ? b | 0x80 : b);
  } while (x !== 0);
}

function sleb(out: number[], v: number): void {
  let x = v | 0;
  for (;;) {
    const b = x & 0x7f;
    x >>= 7;
    if ((x === 0 && (b & 0x40) === 0) || (x === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

/** The body of one function: i32 parameters first, then locals taken with `local()`. */
export class FunctionBody {
  readonly code: number[] = [];
  private locals: number;
  private readonly params: number;

  constructor(params: number) {
    this.params = params;
    this.locals = params;
  }

  /** A new i32 local (its index). */
  local(): number {
    return this.locals++;
  }

  op(...ops: Op[]): this {
    for (const o of ops) this.code.push(o);
    return this;
  }
  const(v: number): this {
    this.code.push(Op.i32Const);
    sleb(this.code, v);
    return this;
  }
  const64(v: number): this {
    this.code.push(Op.i64Const);
    sleb(this.code, v);
    return this;
  }
  get(l: number): this {
    this.code.push(Op.localGet);
    uleb(this.code, l);
    return this;
  }
  set(l: number): this {
    this.code.push(Op.localSet);
    uleb(this.code, l);
    return this;
  }
  tee(l: number): this {
    this.code.push(Op.localTee);
    uleb(this.code, l);
    return this;
  }
  /** A load or store with a constant offset (alignment hint 0: guest accesses may be unaligned). */
  mem(o: Op, offset: number): this {
    this.code.push(o, 0);
    uleb(this.code, offset);
    return this;
  }
  /** memory.copy (bulk memory): [dest, source, bytes] on the stack. */
  memoryCopy(): this {
    this.code.push(0xfc, 10, 0, 0);
    return this;
  }
  /** memory.fill (bulk memory): [dest, byte, bytes] on the stack. */
  memoryFill(): this {
    this.code.push(0xfc, 11, 0);
    return this;
  }
  /** block / loop / if with no result. */
  open(o: typeof Op.block | typeof Op.loop | typeof Op.if): this {
    this.code.push(o, EMPTY_BLOCK);
    return this;
  }
  br(o: typeof Op.br | typeof Op.brIf, depth: number): this {
    this.code.push(o);
    uleb(this.code, depth);
    return this;
  }
  call(f: number): this {
    this.code.push(Op.call);
    uleb(this.code, f);
    return this;
  }
  /** call_indirect through table 0 with the function type `type`. */
  callIndirect(type: number): this {
    this.code.push(Op.callIndirect);
    uleb(this.code, type);
    this.code.push(0);
    return this;
  }
  /** Put `code` (built with another body's locals, or none) before what is here. */
  prepend(code: readonly number[]): this {
    this.code.unshift(...code);
    return this;
  }

  /** The encoded body (locals declaration, code, end). */
  encode(): number[] {
    const out: number[] = [];
    const extra = this.locals - this.params;
    if (extra > 0) {
      uleb(out, 1);
      uleb(out, extra);
      out.push(I32);
    } else uleb(out, 0);
    out.push(...this.code, Op.end);
    return out;
  }
}

/** A function type: i32 parameter and result counts. */
export type FunctionType = readonly [params: number, results: number];

/** What `moduleBytes` writes: everything is imported from module "m" by name. */
export interface ModuleSpec {
  types: readonly FunctionType[];
  /** Imported memory "m"."mem" (its minimum in 64 KiB pages). */
  memoryPages: number;
  /** Imported funcref table "m"."table" with at least this many entries (none when undefined). */
  tableSize?: number;
  /** Imported functions (indices 0..n-1), each with its type's index. */
  imports: readonly { name: string; type: number }[];
  /** Defined functions (indices from imports.length), exported under `name`. */
  functions: readonly { name: string; type: number; body: FunctionBody }[];
}

function section(out: number[], id: number, body: number[]): void {
  out.push(id);
  uleb(out, body.length);
  out.push(...body);
}

function name(out: number[], s: string): void {
  uleb(out, s.length);
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
}

export function moduleBytes(spec: ModuleSpec): Uint8Array {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const types: number[] = [];
  uleb(types, spec.types.length);
  for (const [p, r] of spec.types) {
    types.push(0x60);
    uleb(types, p);
    for (let i = 0; i < p; i++) types.push(I32);
    uleb(types, r);
    for (let i = 0; i < r; i++) types.push(I32);
  }
  section(out, 1, types);
  const imp: number[] = [];
  uleb(imp, spec.imports.length + 1 + (spec.tableSize === undefined ? 0 : 1));
  name(imp, 'm');
  name(imp, 'mem');
  imp.push(0x02, 0x00);
  uleb(imp, spec.memoryPages);
  if (spec.tableSize !== undefined) {
    name(imp, 'm');
    name(imp, 'table');
    imp.push(0x01, 0x70, 0x00);
    uleb(imp, spec.tableSize);
  }
  for (const f of spec.imports) {
    name(imp, 'm');
    name(imp, f.name);
    imp.push(0x00);
    uleb(imp, f.type);
  }
  section(out, 2, imp);
  const funcs: number[] = [];
  uleb(funcs, spec.functions.length);
  for (const f of spec.functions) uleb(funcs, f.type);
  section(out, 3, funcs);
  const exp: number[] = [];
  uleb(exp, spec.functions.length);
  spec.functions.forEach((f, k) => {
    name(exp, f.name);
    exp.push(0x00);
    uleb(exp, spec.imports.length + k);
  });
  section(out, 7, exp);
  const code: number[] = [];
  uleb(code, spec.functions.length);
  for (const f of spec.functions) {
    const encoded = f.body.encode();
    uleb(code, encoded.length);
    code.push(...encoded);
  }
  section(out, 10, code);
  return Uint8Array.from(out);
}
