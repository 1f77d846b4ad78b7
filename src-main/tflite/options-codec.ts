// Generic (de)serialisation of TFLite option tables from their field layouts in
// schema/builtin-options.ts. Values stay in the file's vocabulary (snake_case keys, enum
// members by name); op-options.ts maps them to and from the IR's typed options.
import type { Builder } from 'flatbuffers';
import type { FlatTable } from './flatbuffer-reader';
import { OPTION_ENUMS, OPTION_TABLES, type FieldSpec } from './schema/builtin-options';

export type RawValue = number | boolean | string | number[] | Uint8Array;
export type RawOptions = Record<string, RawValue>;

function enumName(spec: FieldSpec, value: number): string | number {
  const names = spec.enumName ? OPTION_ENUMS[spec.enumName] : undefined;
  return names?.[value] || value;
}

function enumValue(spec: FieldSpec, value: RawValue): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  const names = spec.enumName ? OPTION_ENUMS[spec.enumName] : undefined;
  const index = names ? names.indexOf(String(value)) : -1;
  if (index < 0) throw new Error(`Option '${spec.name}' has unknown value '${String(value)}'.`);
  return index;
}

export function readOptionTable(table: FlatTable, tableName: string): RawOptions {
  const layout = OPTION_TABLES[tableName] ?? [];
  const out: RawOptions = {};
  layout.forEach((spec, id) => {
    if (spec.deprecated) return;
    const dflt = spec.defaultValue;
    switch (spec.kind) {
      case 'bool':
        out[spec.name] = table.bool(id, dflt === true);
        break;
      case 'i8':
        out[spec.name] = enumName(spec, table.i8(id, Number(dflt ?? 0)));
        break;
      case 'u8':
        out[spec.name] = enumName(spec, table.u8(id, Number(dflt ?? 0)));
        break;
      case 'i16':
        out[spec.name] = table.i16(id, Number(dflt ?? 0));
        break;
      case 'u16':
        out[spec.name] = table.u16(id, Number(dflt ?? 0));
        break;
      case 'i32':
        out[spec.name] = enumName(spec, table.i32(id, Number(dflt ?? 0)));
        break;
      case 'u32':
        out[spec.name] = enumName(spec, table.u32(id, Number(dflt ?? 0)));
        break;
      case 'i64':
        out[spec.name] = table.i64(id, Number(dflt ?? 0));
        break;
      case 'u64':
        out[spec.name] = table.u64(id, Number(dflt ?? 0));
        break;
      case 'f32':
        out[spec.name] = table.f32(id, Number(dflt ?? 0));
        break;
      case 'string': {
        const s = table.string(id);
        if (s !== undefined) out[spec.name] = s;
        break;
      }
      case '[i32]': {
        const v = table.i32s(id);
        if (v) out[spec.name] = v;
        break;
      }
      case '[i64]': {
        const v = table.i64s(id);
        if (v) out[spec.name] = v;
        break;
      }
      case '[f32]': {
        const v = table.f32s(id);
        if (v) out[spec.name] = v;
        break;
      }
      case '[u8]': {
        const v = table.bytesOf(id);
        if (v) out[spec.name] = v.slice();
        break;
      }
    }
  });
  return out;
}

/** Writes an option table; fields absent from `values` take the schema default. */
export function writeOptionTable(builder: Builder, tableName: string, values: RawOptions): number {
  const layout = OPTION_TABLES[tableName];
  if (!layout) throw new Error(`Unknown option table '${tableName}'.`);
  // Vectors and strings must be created before the table starts.
  const offsets = new Map<number, number>();
  layout.forEach((spec, id) => {
    const v = values[spec.name];
    if (v === undefined || spec.deprecated) return;
    if (spec.kind === 'string') offsets.set(id, builder.createString(String(v)));
    else if (spec.kind === '[i32]') offsets.set(id, intVector(builder, v as number[], 4, (b, x) => b.addInt32(x)));
    else if (spec.kind === '[f32]') offsets.set(id, intVector(builder, v as number[], 4, (b, x) => b.addFloat32(x)));
    else if (spec.kind === '[i64]') offsets.set(id, intVector(builder, v as number[], 8, (b, x) => b.addInt64(BigInt(x))));
    else if (spec.kind === '[u8]') offsets.set(id, builder.createByteVector(v as Uint8Array));
  });
  builder.startObject(layout.length);
  layout.forEach((spec, id) => {
    const v = values[spec.name];
    if (v === undefined || spec.deprecated) return;
    const offset = offsets.get(id);
    if (offset !== undefined) {
      builder.addFieldOffset(id, offset, 0);
      return;
    }
    const dflt = Number(spec.defaultValue ?? 0);
    switch (spec.kind) {
      case 'bool':
        builder.addFieldInt8(id, v ? 1 : 0, dflt);
        break;
      case 'i8':
      case 'u8':
        builder.addFieldInt8(id, enumValue(spec, v), dflt);
        break;
      case 'i16':
      case 'u16':
        builder.addFieldInt16(id, Number(v), dflt);
        break;
      case 'i32':
      case 'u32':
        builder.addFieldInt32(id, enumValue(spec, v), dflt);
        break;
      case 'i64':
      case 'u64':
        builder.addFieldInt64(id, BigInt(Number(v)), BigInt(dflt));
        break;
      case 'f32':
        builder.addFieldFloat32(id, Number(v), dflt);
        break;
      default:
        break;
    }
  });
  return builder.endObject();
}

export function intVector(builder: Builder, values: readonly number[], size: number, add: (b: Builder, x: number) => void): number {
  builder.startVector(size, values.length, size);
  for (let i = values.length - 1; i >= 0; i--) add(builder, values[i] as number);
  return builder.endVector();
}
