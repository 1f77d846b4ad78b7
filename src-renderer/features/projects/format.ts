// Small display helpers shared by the pages.
export const pct = (x: number | null | undefined, digits = 1) => (typeof x === 'number' ? `${(x * 100).toFixed(digits)}%` : '–');
export const ms = (x: number | null | undefined) => (typeof x === 'number' ? `${x.toFixed(x < 10 ? 3 : 1)} ms` : '–');
export const db = (x: number | null | undefined) => (typeof x === 'number' ? `${x.toFixed(1)} dB` : '–');
export const when = (iso: string | undefined) => (iso ? new Date(iso).toLocaleString() : '–');
export const shape = (s: number[]) => `[${s.join(', ')}]`;
