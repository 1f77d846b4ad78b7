// Light/dark theme: follows the system (prefers-color-scheme) until the user picks one;
// the choice is remembered and applied as data-theme on <html>, which theme.css reads.
export type ThemeChoice = 'system' | 'light' | 'dark';
const STORAGE_KEY = 'edgequant.theme';

function stored(): ThemeChoice {
  const value = localStorage.getItem(STORAGE_KEY);
  return value === 'light' || value === 'dark' ? value : 'system';
}

export class ThemeState {
  choice = $state<ThemeChoice>(stored());
  #systemDark = $state(matchMedia('(prefers-color-scheme: dark)').matches);
  effective = $derived<'light' | 'dark'>(this.choice === 'system' ? (this.#systemDark ? 'dark' : 'light') : this.choice);

  constructor() {
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', (e) => (this.#systemDark = e.matches));
    $effect.root(() => {
      $effect(() => {
        document.documentElement.dataset.theme = this.effective;
      });
    });
  }

  /** Cycles system → light → dark → system. */
  toggle(): void {
    this.choice = this.choice === 'system' ? 'light' : this.choice === 'light' ? 'dark' : 'system';
    if (this.choice === 'system') localStorage.removeItem(STORAGE_KEY);
    else localStorage.setItem(STORAGE_KEY, this.choice);
  }
}
