// The renderer's one size formatter: 3 significant figures in B / KiB / MiB / GiB (History's
// compare rounded to 0.1 KiB, so runs a few hundred bytes apart read alike).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileSize, fileSizeChange } from '../../src-renderer/lib/file-size';
import { COMPARE_ROWS } from '../../src-renderer/features/history/compare';
import type { RunRecord } from '../../src-main/projects/types';

test('sizes keep 3 significant figures and pick the unit', () => {
  assert.equal(fileSize(0), '0 B');
  assert.equal(fileSize(412), '412 B');
  assert.equal(fileSize(999), '999 B');
  assert.equal(fileSize(1000), '0.977 KiB', 'never "1.00e+3 B"');
  assert.equal(fileSize(7096), '6.93 KiB');
  assert.equal(fileSize(7056), '6.89 KiB');
  assert.equal(fileSize(32_000), '31.3 KiB');
  assert.equal(fileSize(329_113), '321 KiB');
  assert.equal(fileSize(1_023_900), '0.976 MiB');
  assert.equal(fileSize(13_500_000), '12.9 MiB');
  assert.equal(fileSize(5 * 1024 ** 3), '5.00 GiB');
  assert.equal(fileSize(null), '–');
  assert.equal(fileSizeChange(-32), '−32 B');
  assert.equal(fileSizeChange(1000), '+0.977 KiB');
  assert.equal(fileSizeChange(0), '±0 B');
});

test("History's compare row shows both sizes and the change with the same formatter", () => {
  const row = COMPARE_ROWS.find((r) => r.name === 'Size of the .tflite')!;
  const run = (sizeBytes: number) => ({ metrics: { sizeBytes } }) as unknown as RunRecord;
  assert.equal(row.value(run(7056)), '6.89 KiB');
  assert.equal(row.value(run(7096)), '6.93 KiB', 'was 6.9 KiB for both');
  assert.equal(row.delta!(40), '+40 B');
  assert.equal(row.delta!(-2048), '−2.00 KiB');
});
