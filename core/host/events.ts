// A tiny typed event hub: handlers emit, each transport forwards to its windows/sockets.
import type { EventMap, EventName } from '../../common/contract/index.js';

export type EventSink = <E extends EventName>(event: E, payload: EventMap[E]) => void;

export class EventHub {
  private readonly sinks = new Set<EventSink>();

  subscribe(sink: EventSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  emit<E extends EventName>(event: E, payload: EventMap[E]): void {
    for (const sink of this.sinks) sink(event, payload);
  }
}
