// Svelte action: brings a panel that just opened into view (a benchmark log below the fold was
// invisible after its button was pressed).
export function reveal(node: HTMLElement): void {
  node.scrollIntoView({ block: 'nearest' });
}
