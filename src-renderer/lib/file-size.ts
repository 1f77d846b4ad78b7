// The one size formatter of the renderer: bytes in B, KiB, MiB or GiB with 3 significant figures
// (6.93 KiB, 321 KiB, 1.24 MiB), so two files a few hundred bytes apart still read differently.
const UNITS = ['B', 'KiB', 'MiB', 'GiB'] as const;

export function fileSize(bytes: number | null | undefined): string {
  if (typeof bytes !== 'number' || !Number.isFinite(bytes)) return '–';
  const sign = bytes < 0 ? '−' : '';
  let value = Math.abs(bytes);
  let unit = 0;
  // Next unit once the value would print as 1000 or more (999.7 B is 0.976 KiB, not "1.00e+3 B").
  while (unit < UNITS.length - 1 && Number(value.toPrecision(3)) >= 1000) {
    value /= 1024;
    unit++;
  }
  return `${sign}${unit === 0 ? Math.round(value) : value.toPrecision(3)} ${UNITS[unit]}`;
}

/** A size change with its sign: "+412 B", "−1.20 KiB", "±0 B". */
export function fileSizeChange(bytes: number): string {
  return `${bytes > 0 ? '+' : bytes === 0 ? '±' : ''}${fileSize(bytes)}`;
}
