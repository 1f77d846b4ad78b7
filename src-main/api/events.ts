// Events from main-side services to whichever UI hosts are attached (Electron windows,
// WebSocket clients). Typed by the contract's event map.
import type { ApiEventName, ApiEvents, Unsubscribe } from './contract';

export type EventListener = <E extends ApiEventName>(event: E, payload: ApiEvents[E]) => void;

export class EventHub {
  readonly #listeners = new Set<EventListener>();

  emit<E extends ApiEventName>(event: E, payload: ApiEvents[E]): void {
    for (const listener of this.#listeners) listener(event, payload);
  }

  subscribe(listener: EventListener): Unsubscribe {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
