/**
 * A source a filter opened for itself (ctx.connectSource, GPAC's gf_filter_connect_source): the source
 * filter and the filters link resolution loads after it. Their PIDs link only to the opener (the
 * linker checks `group`), and the opener may drop the whole chain with remove().
 */
import type { InputPid, SourceHandle } from './filter-api.js';
import type { FilterNode } from './filter-node.js';

export interface GroupHost {
  removeGroup(group: SourceGroup): void;
}

export class SourceGroup implements SourceHandle {
  /** The filters of the chain (emptied when the chain is removed). */
  readonly nodes = new Set<FilterNode>();
  removed = false;

  constructor(
    /** Unique in its session. */
    readonly id: number,
    readonly url: string,
    /** The filter that opened the source: the only destination of the chain's PIDs. */
    readonly owner: FilterNode,
    private readonly host: GroupHost,
  ) {}

  get inputs(): readonly InputPid[] {
    if (this.removed) return [];
    const names = new Set([...this.nodes].map((n) => n.name));
    return this.owner.inputs.filter((c) => names.has(c.producer));
  }

  get pending(): boolean {
    if (this.removed) return false;
    const pending = [...this.nodes].some(
      (n) => !n.finished && (n.outputs.length === 0 || n.unlinked.length > 0),
    );
    // Woken (like ctx.connectionsPending) when a filter of the chain creates its PIDs or ends.
    if (pending) this.owner.waitsForConnections = true;
    return pending;
  }

  get done(): boolean {
    return this.removed || [...this.nodes].every((n) => n.finished);
  }

  remove(): void {
    this.host.removeGroup(this);
  }
}
