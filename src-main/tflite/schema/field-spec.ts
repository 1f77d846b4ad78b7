// How an option table field is described: its kind (storage type), default and enum.

export type FieldKind = 'bool' | 'i8' | 'u8' | 'i16' | 'u16' | 'i32' | 'u32' | 'i64' | 'u64' | 'f32' | 'string' | '[i32]' | '[i64]' | '[f32]' | '[u8]';

export interface FieldSpec {
  readonly name: string;
  readonly kind: FieldKind;
  readonly defaultValue?: number | boolean;
  /** Enum type name for enum fields (e.g. 'ActivationFunctionType'). */
  readonly enumName?: string;
  /** Present in the schema but no longer written. */
  readonly deprecated?: boolean;
}

export const f = (name: string, kind: FieldKind, extra: Omit<FieldSpec, 'name' | 'kind'> = {}): FieldSpec => ({ name, kind, ...extra });
