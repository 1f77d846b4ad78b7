// Densifies a sparse TFLite constant (SparsityParameters: traversal order, block map,
// per-level DENSE / SPARSE_CSR metadata) so the IR always holds dense data.
import type { FlatTable } from './flatbuffer-reader';
import { DimensionMetadataField, DimensionType, SparseIndexVectorType, SparsityField } from './schema/tables';

export class SparsityError extends Error {
  override name = 'SparsityError';
}

interface Level {
  dense: boolean;
  denseSize: number;
  segments: number[];
  indices: number[];
}

function indexVector(meta: FlatTable, typeField: number, valueField: number): number[] {
  const type = meta.u8(typeField);
  const table = meta.table(valueField, 'SparseIndexVector');
  if (!table || type === SparseIndexVectorType.NONE) return [];
  if (type === SparseIndexVectorType.Int32Vector) return table.i32s(0) ?? [];
  if (type === SparseIndexVectorType.Uint16Vector) return table.u16s(0) ?? [];
  if (type === SparseIndexVectorType.Uint8Vector) return [...(table.bytesOf(0) ?? [])];
  throw new SparsityError(`unknown sparse index vector type ${type}`);
}

/**
 * Returns the dense element order: `order[k]` is the dense (row-major) index of the k-th
 * stored value. Callers scatter the stored values with it.
 */
export function sparseToDenseOrder(sparsity: FlatTable, shape: readonly number[], storedValues: number): number[] {
  const traversal = sparsity.i32s(SparsityField.traversalOrder) ?? shape.map((_, i) => i);
  const blockMap = sparsity.i32s(SparsityField.blockMap) ?? [];
  const levels: Level[] = sparsity.tables(SparsityField.dimMetadata, 'DimensionMetadata').map((m) => ({
    dense: m.i8(DimensionMetadataField.format) === DimensionType.DENSE,
    denseSize: m.i32(DimensionMetadataField.denseSize),
    segments: indexVector(m, DimensionMetadataField.arraySegmentsType, DimensionMetadataField.arraySegments),
    indices: indexVector(m, DimensionMetadataField.arrayIndicesType, DimensionMetadataField.arrayIndices),
  }));
  const rank = shape.length;
  if (levels.length !== traversal.length || traversal.length !== rank + blockMap.length) {
    throw new SparsityError('sparsity metadata does not match the tensor rank');
  }
  const blockSize = blockMap.map((_, k) => {
    const level = traversal.indexOf(rank + k);
    return levels[level]?.denseSize ?? 1;
  });
  const coords = new Array<number>(traversal.length).fill(0);
  const order: number[] = [];
  const total = shape.reduce((n, d) => n * d, 1);
  const denseIndex = (): number => {
    let index = 0;
    for (let d = 0; d < rank; d++) {
      let c = coords[d] as number;
      blockMap.forEach((dim, k) => {
        if (dim === d) c = c * (blockSize[k] as number) + (coords[rank + k] as number);
      });
      index = index * (shape[d] as number) + c;
    }
    return index;
  };
  // Garbage dense sizes must not spin for hours: no valid file visits more nodes than this.
  let budget = Math.min(total * (levels.length + 1) + 1024, 64 * 1024 * 1024);
  const walk = (level: number, prevPos: number): void => {
    if (--budget < 0) throw new SparsityError('sparsity metadata describes more elements than the tensor has');
    if (level === levels.length) {
      if (order.length >= storedValues) throw new SparsityError(`sparsity metadata addresses more than the ${storedValues} stored values`);
      const index = denseIndex();
      if (index < 0 || index >= total) throw new SparsityError('sparse index out of range');
      order.push(index);
      return;
    }
    const meta = levels[level] as Level;
    const dim = traversal[level] as number;
    if (meta.dense) {
      for (let i = 0; i < meta.denseSize; i++) {
        coords[dim] = i;
        walk(level + 1, prevPos * meta.denseSize + i);
      }
    } else {
      const from = meta.segments[prevPos];
      const to = meta.segments[prevPos + 1];
      if (from === undefined || to === undefined || to < from || to > meta.indices.length) {
        throw new SparsityError('sparse segment out of range');
      }
      for (let j = from; j < to; j++) {
        coords[dim] = meta.indices[j] as number;
        walk(level + 1, j);
      }
    }
  };
  walk(0, 0);
  return order;
}
